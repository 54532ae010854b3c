//! A self-contained HTML report: the lineage graph drawn interactively (pan, zoom, click a
//! document to read it, click an edge to compare the two texts side by side with the
//! shared passages highlighted) and a list of story families.
//!
//! Everything is inline — data, CSS and a small vanilla-JavaScript viewer — so the file
//! opens offline and can be mailed around. The layout is computed here, deterministically:
//! each family is a band, its documents placed in columns by generation (roots left).
//! The texts of the documents in the graph are embedded, so the report grows with them.

use std::collections::{HashMap, VecDeque};
use std::io::{self, Write};

use serde_json::{Value, json};

use super::{LineageView, round6};

const COLUMN: f64 = 320.0;
const ROW: f64 = 70.0;
const FAMILY_GAP: f64 = 50.0;

/// Positions for every node of the lineage graph, by node index; `node_of` maps a
/// document's input index to its node index.
fn layout(view: &LineageView, node_of: &HashMap<u32, usize>) -> Vec<(f64, f64)> {
    let lineage = view.lineage;
    let g = &lineage.graph;
    let mut depth = vec![0usize; g.node_count()];
    // Generation = longest path from a root (the graph is acyclic: cycles were broken).
    let mut indegree: Vec<usize> = g
        .node_indices()
        .map(|n| {
            g.neighbors_directed(n, petgraph::Direction::Incoming)
                .count()
        })
        .collect();
    let mut queue: VecDeque<_> = g
        .node_indices()
        .filter(|n| indegree[n.index()] == 0)
        .collect();
    while let Some(n) = queue.pop_front() {
        let mut children: Vec<_> = g.neighbors(n).collect();
        children.sort_by_key(|c| g[*c]);
        for c in children {
            depth[c.index()] = depth[c.index()].max(depth[n.index()] + 1);
            indegree[c.index()] -= 1;
            if indegree[c.index()] == 0 {
                queue.push_back(c);
            }
        }
    }
    let mut pos = vec![(0.0, 0.0); g.node_count()];
    let mut top = 0.0;
    for members in lineage.family_members() {
        let mut rows_used: Vec<usize> = Vec::new();
        for m in members {
            let n = node_of[&m];
            let d = depth[n];
            if rows_used.len() <= d {
                rows_used.resize(d + 1, 0);
            }
            pos[n] = (
                40.0 + d as f64 * COLUMN,
                top + 30.0 + rows_used[d] as f64 * ROW,
            );
            rows_used[d] += 1;
        }
        let height = rows_used.iter().max().copied().unwrap_or(1) as f64 * ROW;
        top += height + FAMILY_GAP;
    }
    pos
}

/// The data the viewer reads.
pub fn report_data(view: &LineageView) -> Value {
    let lineage = view.lineage;
    let docs = &view.corpus.documents;
    let index_of: HashMap<u32, usize> = lineage
        .graph
        .node_indices()
        .map(|n| (lineage.graph[n], n.index()))
        .collect();
    let pos = layout(view, &index_of);
    let nodes: Vec<Value> = lineage
        .graph
        .node_indices()
        .map(|n| {
            let d = lineage.node(docs, lineage.graph[n]);
            json!({
                "id": d.id, "source": d.source, "date": d.date, "title": d.title, "url": d.url,
                "link": d.url.is_some_and(is_web_address),
                "family": lineage.family[n.index()],
                "x": pos[n.index()].0, "y": pos[n.index()].1,
                "text": d.text,
                "inferred": d.inferred.is_some(),
                "evidence": d.inferred.map(|s| s.evidence.as_str()),
            })
        })
        .collect();
    let edges: Vec<Value> = lineage
        .edges()
        .into_iter()
        .map(|e| {
            json!({
                "parent": index_of[&e.parent], "child": index_of[&e.child],
                "kind": e.kind, "directed": e.directed, "containment": round6(e.containment),
                "similarity": round6(e.similarity), "reason": e.reason,
                "spans": e.spans.iter().map(|s| [s.parent_chars.0, s.parent_chars.1, s.child_chars.0, s.child_chars.1]).collect::<Vec<_>>(),
            })
        })
        .collect();
    let families: Vec<Value> = lineage
        .family_members()
        .iter()
        .enumerate()
        .map(|(i, members)| {
            json!({"family": i, "members": members.iter().map(|m| index_of[m]).collect::<Vec<_>>()})
        })
        .collect();
    json!({
        "nodes": nodes,
        "edges": edges,
        "families": families,
        "boilerplate": view.trace.boilerplate.templates.iter().take(20).map(|t| json!({"text": t.text, "documents": t.documents})).collect::<Vec<_>>(),
        "stats": {
            "documents": view.trace.dups.documents,
            "edges": lineage.graph.edge_count(),
            "families": lineage.families,
        },
    })
}

/// Whether a document's `url` may become a link: `http:` or `https:` only. Anything else
/// (`javascript:`, `data:`, `file:`) is shown as text, never followed.
pub fn is_web_address(url: &str) -> bool {
    let url = url.trim_start();
    let scheme = url.split(':').next().unwrap_or("");
    url.len() > scheme.len() && matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https")
}

/// The page's inline script and style, between the markers of [`TEMPLATE`].
fn inline_block<'t>(open: &str, close: &str) -> &'t str {
    let start = TEMPLATE.find(open).expect("template block") + open.len();
    let end = start + TEMPLATE[start..].find(close).expect("template block end");
    &TEMPLATE[start..end]
}

/// The Content-Security-Policy of the page: nothing may load or connect anywhere; only
/// the page's own script and style (by SHA-256) run; no forms, no base, no frames.
pub fn content_security_policy() -> String {
    let script = inline_block("<script>", "</script>");
    let style = inline_block("<style>", "</style>");
    format!(
        "default-src 'none'; script-src 'sha256-{}'; style-src 'sha256-{}'; img-src data:; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        sha256_base64(script),
        sha256_base64(style)
    )
}

fn sha256_base64(text: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(text.as_bytes());
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(44);
    for chunk in digest.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Writes the report.
///
/// The template is cut at its placeholders once and the pieces written in order, so the
/// embedded data is never searched for placeholders: a document containing `/*VERSION*/`
/// stays as written.
pub fn write_html(view: &LineageView, out: &mut dyn Write) -> io::Result<()> {
    // `<` is escaped inside the JSON so no text can close the script element early.
    let data = report_data(view).to_string().replace('<', "\\u003c");
    let csp = content_security_policy();
    let mut rest = TEMPLATE;
    for (placeholder, value) in [
        ("/*CSP*/", csp.as_str()),
        ("/*VERSION*/", env!("CARGO_PKG_VERSION")),
        ("/*DATA*/", data.as_str()),
    ] {
        let at = rest.find(placeholder).expect("placeholder in the template");
        out.write_all(&rest.as_bytes()[..at])?;
        out.write_all(value.as_bytes())?;
        rest = &rest[at + placeholder.len()..];
    }
    out.write_all(rest.as_bytes())
}

const TEMPLATE: &str = r##"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="/*CSP*/">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wiretrace lineage report</title>
<style>
  body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: #222; display: grid;
         grid-template-columns: 260px 1fr 420px; grid-template-rows: auto 1fr; height: 100vh; }
  header { grid-column: 1 / 4; padding: 8px 14px; background: #1f3a5f; color: #fff; }
  header small { opacity: .8; margin-left: 1em; }
  #families { overflow: auto; border-right: 1px solid #ddd; padding: 6px; }
  #families h2, #panel h2 { font-size: 14px; margin: 6px 0; }
  .family { padding: 4px 6px; cursor: pointer; border-radius: 4px; }
  .family:hover, .family.active { background: #e8eef7; }
  #graph { width: 100%; height: 100%; background: #fafafa; cursor: grab; }
  .node rect { fill: #fff; stroke: #1f3a5f; rx: 6; }
  .node.inferred rect { fill: none; stroke-dasharray: 5 3; }
  .node.selected rect { fill: #ffe9a8; }
  .node text { font-size: 11px; pointer-events: none; }
  .node { cursor: pointer; }
  .edge line { stroke: #7a8ca5; stroke-width: 2; marker-end: url(#arrow); }
  .edge.partial line { stroke-dasharray: 6 4; }
  .edge.rewritten line { stroke-dasharray: 2 3; }
  .edge.undirected line { marker-end: none; stroke: #a9b4c4; }
  .edge text { font-size: 10px; fill: #555; }
  .edge { cursor: pointer; }
  .edge.selected line { stroke: #d9822b; stroke-width: 3; }
  #panel { overflow: auto; border-left: 1px solid #ddd; padding: 8px; }
  .doc { white-space: pre-wrap; font-size: 13px; border: 1px solid #eee; padding: 6px; margin-bottom: 8px; }
  .sides { display: grid; grid-template-columns: 1fr 1fr; gap: 6px; }
  mark { background: #ffd86b; }
  .meta { color: #666; font-size: 12px; }
  #errors { color: #ffb3b3; margin: 0; }
</style>
</head>
<body>
<header>wiretrace lineage report <small id="summary"></small><small>wiretrace /*VERSION*/</small><pre id="errors"></pre></header>
<nav id="families"><h2>Story families</h2></nav>
<main><svg id="graph" xmlns="http://www.w3.org/2000/svg">
  <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">
    <path d="M 0 0 L 10 5 L 0 10 z" fill="#7a8ca5"/></marker></defs>
  <g id="viewport"></g>
</svg></main>
<aside id="panel"><h2>Click a document or an edge</h2><p class="meta">Drag to pan, scroll to zoom.
Dashed edges are partial copies (excerpts, truncations), dotted ones rewritten copies
(reworded, found sentence by sentence); edges without an arrowhead share
text, but nothing tells which copied which.</p></aside>
<script type="application/json" id="data">/*DATA*/</script>
<script>
"use strict";
window.addEventListener("error", e => {
  document.getElementById("errors").textContent += "error: " + e.message + "\n";
});
const DATA = JSON.parse(document.getElementById("data").textContent);
const SVG = "http://www.w3.org/2000/svg";
const svg = document.getElementById("graph");
const viewport = document.getElementById("viewport");
const panel = document.getElementById("panel");
const W = 200, H = 44;
let view = { x: 0, y: 0, k: 1 };

function el(name, attrs, parent) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}
function html(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}
function short(s, n) { return s.length > n ? s.slice(0, n - 1) + "…" : s; }
function apply() { viewport.setAttribute("transform", `translate(${view.x},${view.y}) scale(${view.k})`); }

// Text with [start, end) character ranges highlighted (offsets are Unicode code points).
function highlighted(text, ranges) {
  const chars = Array.from(text);
  const box = html("div", undefined, "doc");
  let at = 0;
  for (const [s, e] of ranges.slice().sort((a, b) => a[0] - b[0])) {
    if (s < at) continue;
    box.appendChild(document.createTextNode(chars.slice(at, s).join("")));
    box.appendChild(html("mark", chars.slice(s, e).join("")));
    at = e;
  }
  box.appendChild(document.createTextNode(chars.slice(at).join("")));
  return box;
}
function meta(n) {
  return [n.source, n.date, n.title].filter(Boolean).join(" · ") || "no metadata";
}
function select(kind, index) {
  document.querySelectorAll(".selected").forEach(e => e.classList.remove("selected"));
  const target = document.querySelector(`[data-${kind}="${index}"]`);
  if (target) target.classList.add("selected");
}
function showNode(i) {
  const n = DATA.nodes[i];
  select("node", i);
  panel.replaceChildren(html("h2", n.id), html("p", meta(n), "meta"));
  if (n.inferred) panel.appendChild(html("p", `Inferred source, not in the corpus: ${n.evidence}. Its date is an upper bound; its text is reconstructed from its copies.`, "meta"));
  if (n.url) {
    // Only http(s) addresses become links (decided when the report was written, checked
    // again here); anything else, javascript: included, is shown as text.
    let web = false;
    try { web = n.link === true && ["http:", "https:"].includes(new URL(n.url).protocol); } catch (_) { web = false; }
    if (web) {
      const a = html("a", n.url); a.href = n.url; a.rel = "noopener noreferrer"; panel.appendChild(a);
    } else {
      panel.appendChild(html("span", n.url, "meta url"));
    }
  }
  const spans = [];
  DATA.edges.forEach(e => {
    if (e.parent === i) e.spans.forEach(s => spans.push([s[0], s[1]]));
    if (e.child === i) e.spans.forEach(s => spans.push([s[2], s[3]]));
  });
  panel.appendChild(highlighted(n.text, spans));
  panel.dataset.showing = "node:" + n.id;
}
function showEdge(j) {
  const e = DATA.edges[j], p = DATA.nodes[e.parent], c = DATA.nodes[e.child];
  select("edge", j);
  panel.replaceChildren(
    html("h2", e.directed ? `${p.id} → ${c.id}` : `${p.id} — ${c.id} (direction undetermined)`),
    html("p", `${e.kind}, ${Math.round(e.containment * 100)}% of the child found in the parent. ${e.reason}.`, "meta"));
  const sides = html("div", undefined, "sides");
  const left = html("div"), right = html("div");
  left.append(html("div", "parent: " + meta(p), "meta"), highlighted(p.text, e.spans.map(s => [s[0], s[1]])));
  right.append(html("div", "child: " + meta(c), "meta"), highlighted(c.text, e.spans.map(s => [s[2], s[3]])));
  sides.append(left, right);
  panel.appendChild(sides);
  panel.dataset.showing = "edge:" + p.id + "->" + c.id;
}
function focusFamily(f) {
  const members = DATA.families[f].members.map(i => DATA.nodes[i]);
  const minX = Math.min(...members.map(n => n.x)), minY = Math.min(...members.map(n => n.y));
  view = { x: 20 - minX, y: 20 - minY, k: 1 };
  apply();
  document.querySelectorAll(".family").forEach(e => e.classList.toggle("active", e.dataset.family == f));
}

function draw() {
  DATA.edges.forEach((e, j) => {
    const p = DATA.nodes[e.parent], c = DATA.nodes[e.child];
    const cls = "edge" + (["excerpt", "truncated", "extended"].includes(e.kind) ? " partial" : "") + (e.kind === "rewritten" ? " rewritten" : "") + (e.directed ? "" : " undirected");
    const g = el("g", { class: cls, "data-edge": j }, viewport);
    el("line", { x1: p.x + W, y1: p.y + H / 2, x2: c.x, y2: c.y + H / 2 }, g);
    el("text", { x: (p.x + W + c.x) / 2 - 20, y: (p.y + c.y) / 2 + H / 2 - 4 }, g).textContent =
      `${e.kind} ${Math.round(e.containment * 100)}%`;
    g.addEventListener("click", ev => { ev.stopPropagation(); showEdge(j); });
  });
  DATA.nodes.forEach((n, i) => {
    const g = el("g", { class: n.inferred ? "node inferred" : "node", "data-node": i, "data-id": n.id, transform: `translate(${n.x},${n.y})` }, viewport);
    el("rect", { width: W, height: H }, g);
    el("text", { x: 8, y: 17 }, g).textContent = short(n.id, 30);
    el("text", { x: 8, y: 33, fill: "#666" }, g).textContent = short([n.source, n.date].filter(Boolean).join(" · "), 32);
    g.addEventListener("click", ev => { ev.stopPropagation(); showNode(i); });
  });
  const list = document.getElementById("families");
  DATA.families.forEach(f => {
    const roots = f.members.filter(i => !DATA.edges.some(e => e.child === i)).map(i => DATA.nodes[i].id);
    const item = html("div", `${f.members.length} documents — ${short(roots.join(", "), 60)}`, "family");
    item.dataset.family = f.family;
    item.addEventListener("click", () => focusFamily(f.family));
    list.appendChild(item);
  });
  if (DATA.boilerplate.length) {
    list.appendChild(html("h2", "Boilerplate (not evidence)"));
    DATA.boilerplate.forEach(b => list.appendChild(html("div", `${b.documents}× ${short(b.text.replace(/\n+/g, " / "), 80)}`, "meta")));
  }
  document.getElementById("summary").textContent =
    `${DATA.stats.documents} documents, ${DATA.stats.edges} lineage edges, ${DATA.stats.families} families`;
}

// Pan with the mouse, zoom with the wheel around the pointer.
let drag = null;
svg.addEventListener("mousedown", ev => { drag = { x: ev.clientX - view.x, y: ev.clientY - view.y }; });
window.addEventListener("mousemove", ev => { if (drag) { view.x = ev.clientX - drag.x; view.y = ev.clientY - drag.y; apply(); } });
window.addEventListener("mouseup", () => { drag = null; });
svg.addEventListener("wheel", ev => {
  ev.preventDefault();
  const r = svg.getBoundingClientRect(), mx = ev.clientX - r.left, my = ev.clientY - r.top;
  const f = ev.deltaY < 0 ? 1.15 : 1 / 1.15;
  view.x = mx - (mx - view.x) * f; view.y = my - (my - view.y) * f; view.k *= f;
  apply();
}, { passive: false });

draw();
apply();
if (DATA.families.length) focusFamily(0);
// A self-check the tests run in a headless browser: open a document and an edge.
if (location.hash === "#selftest") {
  const checks = [];
  if (DATA.nodes.length) { document.querySelector('[data-node="0"]').dispatchEvent(new MouseEvent("click", { bubbles: true })); checks.push(panel.dataset.showing); }
  if (DATA.edges.length) { document.querySelector('[data-edge="0"]').dispatchEvent(new MouseEvent("click", { bubbles: true })); checks.push(panel.dataset.showing, String(panel.querySelectorAll("mark").length)); }
  document.body.dataset.selftest = checks.join("|");
}
// Another self-check: open every document and click every address shown (links that are
// not http or https, and addresses shown as text), as a reader would.
if (location.hash === "#selftest-links") {
  let links = 0;
  DATA.nodes.forEach((n, i) => {
    showNode(i);
    panel.querySelectorAll("a").forEach(a => {
      if (["http:", "https:"].includes(a.protocol)) { links += 1; } else { a.click(); }
    });
    panel.querySelectorAll(".url").forEach(u => u.click());
  });
  document.body.dataset.weblinks = String(links);
}
document.body.dataset.ready = "1";
</script>
</body>
</html>
"##;

#[cfg(test)]
mod tests {
    use super::{is_web_address, sha256_base64};

    #[test]
    fn sha256_base64_matches_the_standard_vectors() {
        assert_eq!(
            sha256_base64("abc"),
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
        assert_eq!(
            sha256_base64(""),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }

    #[test]
    fn only_http_and_https_are_web_addresses() {
        for ok in ["http://a.example/x", "HTTPS://a.example", "  https://a"] {
            assert!(is_web_address(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            " JavaScript:x",
            "data:text/html,x",
            "file:///etc",
            "https",
            "ftp://x",
        ] {
            assert!(!is_web_address(bad), "{bad}");
        }
    }
}
