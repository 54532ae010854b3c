# Type stubs of the wiretrace package: the public calls with their parameters and the
# CLI's defaults (the implementation takes them as keyword arguments).
import os
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Union

import networkx
import numpy as np
import pyarrow as pa

__version__: str
DEFAULT_MAX_DOC_BYTES: int
DEFAULTS: Dict[str, Any]

PathLike = Union[str, os.PathLike]
# An iterable of dicts, a pandas DataFrame, a pyarrow Table / RecordBatch /
# RecordBatchReader, a path (JSON Lines, folder, text or Parquet file) or a list of paths.
Documents = Union[Iterable[Mapping[str, Any]], "pa.Table", "pa.RecordBatch", "pa.RecordBatchReader", PathLike, Sequence[PathLike], Any]
Progress = Union[None, bool, Callable[[str, int, int], Any]]

class WiretraceError(Exception): ...
class ConfigError(WiretraceError): ...
class InputError(WiretraceError): ...
class OutputError(WiretraceError): ...
class IndexFileError(WiretraceError): ...
class MemoryLimitError(WiretraceError): ...

class DupsResult:
    pairs: pa.Table
    families: pa.Table
    skipped: pa.Table
    warnings: pa.Table
    @property
    def stats(self) -> Dict[str, Any]: ...
    @property
    def params(self) -> Dict[str, Any]: ...
    def to_json(self) -> str: ...
    def to_jsonl(self) -> str: ...
    def to_text(self) -> str: ...

class PassagesResult:
    passages: pa.Table
    frames: pa.Table
    boilerplate: pa.Table
    skipped: pa.Table
    warnings: pa.Table
    @property
    def stats(self) -> Dict[str, Any]: ...
    @property
    def params(self) -> Dict[str, Any]: ...
    def to_json(self) -> str: ...
    def to_text(self) -> str: ...

class LineageResult:
    nodes: pa.Table
    edges: pa.Table
    families: pa.Table
    passages: pa.Table
    boilerplate: pa.Table
    skipped: pa.Table
    warnings: pa.Table
    @property
    def stats(self) -> Dict[str, Any]: ...
    @property
    def params(self) -> Dict[str, Any]: ...
    def to_json(self) -> str: ...
    def to_dot(self) -> str: ...
    def to_graphml(self) -> str: ...
    def report_html(self, path: PathLike, overwrite: bool = False) -> None: ...
    def to_networkx(self) -> networkx.DiGraph: ...

class AuditResult:
    @property
    def audit(self) -> Dict[str, Any]: ...
    @property
    def stats(self) -> Dict[str, Any]: ...
    @property
    def params(self) -> Dict[str, Any]: ...
    def to_json(self) -> str: ...
    def to_text(self) -> str: ...

class DedupResult:
    dropped: pa.Table
    id_map: Dict[str, str]
    skipped: pa.Table
    warnings: pa.Table
    @property
    def kept(self) -> List[str]: ...
    @property
    def stats(self) -> Dict[str, Any]: ...
    def write(self, output: PathLike, dropped: Optional[PathLike] = None, overwrite: bool = False) -> Dict[str, Any]: ...

def dups(
    docs: Documents,
    *,
    threshold: float = 0.8,
    shingle: str = "words:5",
    num_perm: int = 128,
    seed: int = 42,
    bands: Optional[int] = None,
    rows: Optional[int] = None,
    max_bucket: int = 1000,
    id_field: str = "id",
    text_field: str = "text",
    source_field: str = "source",
    date_field: str = "date",
    title_field: str = "title",
    url_field: str = "url",
    input_format: str = "auto",
    max_doc_bytes: int = 67108864,
    threads: Optional[int] = None,
    temp_dir: Optional[PathLike] = None,
    progress: Progress = None,
) -> DupsResult: ...

def passages(
    docs: Documents,
    *,
    min_words: int = 20,
    max_gap: int = 30,
    passage_k: int = 5,
    max_df: int = 100,
    boilerplate_min_docs: int = 10,
    paraphrase: bool = True,
    paraphrase_window: int = 2,
    summaries: bool = False,
    threshold: float = 0.8,
    shingle: str = "words:5",
    num_perm: int = 128,
    seed: int = 42,
    bands: Optional[int] = None,
    rows: Optional[int] = None,
    max_bucket: int = 1000,
    id_field: str = "id",
    text_field: str = "text",
    source_field: str = "source",
    date_field: str = "date",
    title_field: str = "title",
    url_field: str = "url",
    input_format: str = "auto",
    max_doc_bytes: int = 67108864,
    threads: Optional[int] = None,
    temp_dir: Optional[PathLike] = None,
    progress: Progress = None,
) -> PassagesResult: ...

def lineage(
    docs: Documents,
    *,
    min_words: int = 20,
    max_gap: int = 30,
    passage_k: int = 5,
    max_df: int = 100,
    boilerplate_min_docs: int = 10,
    paraphrase: bool = True,
    paraphrase_window: int = 2,
    summaries: bool = False,
    threshold: float = 0.8,
    shingle: str = "words:5",
    num_perm: int = 128,
    seed: int = 42,
    bands: Optional[int] = None,
    rows: Optional[int] = None,
    max_bucket: int = 1000,
    id_field: str = "id",
    text_field: str = "text",
    source_field: str = "source",
    date_field: str = "date",
    title_field: str = "title",
    url_field: str = "url",
    input_format: str = "auto",
    max_doc_bytes: int = 67108864,
    threads: Optional[int] = None,
    temp_dir: Optional[PathLike] = None,
    progress: Progress = None,
) -> LineageResult: ...

def audit(docs: Documents, **options: Any) -> AuditResult: ...
def dedup(docs: Documents, keep: str = "earliest", **options: Any) -> DedupResult: ...

class Index:
    last_report: Optional[Dict[str, Any]]
    @classmethod
    def build(cls, path: PathLike, docs: Documents, **options: Any) -> "Index": ...
    @classmethod
    def open(cls, path: PathLike) -> "Index": ...
    def add(self, docs: Documents, replace: bool = False, **options: Any) -> Dict[str, Any]: ...
    def query(
        self,
        text_or_doc: Union[str, Mapping[str, Any]],
        date: Optional[str] = None,
        source: Optional[str] = None,
        limit: int = 20,
    ) -> pa.Table: ...
    def __len__(self) -> int: ...
    @property
    def params(self) -> Dict[str, Any]: ...
    @property
    def path(self) -> str: ...

class MinHasher:
    def __init__(self, num_perm: int = 128, seed: int = 42, shingle: str = "words:5") -> None: ...
    def signature(self, text: str) -> "np.ndarray": ...
    @staticmethod
    def jaccard(a: Sequence[int], b: Sequence[int]) -> float: ...
    @property
    def num_perm(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def shingle(self) -> str: ...
