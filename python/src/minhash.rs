//! MinHash signatures of single texts, for people coming from datasketch: the signature
//! `dups` computes (one-permutation hashing with optimal densification over the shingle
//! scheme), as a NumPy array. Values are not interchangeable with datasketch's: the
//! shingles, hashes and scheme differ.

use pyo3::prelude::*;
use wiretrace::minhash::{self, MinHasher as Hasher};
use wiretrace::shingle::{ShingleScheme, shingle_set};

use crate::ConfigError;

/// Signs texts as `dups` does.
#[pyclass(module = "wiretrace._wiretrace", frozen)]
pub struct MinHasher {
    hasher: Hasher,
    scheme: ShingleScheme,
    seed: u64,
}

#[pymethods]
impl MinHasher {
    #[new]
    #[pyo3(signature = (num_perm=128, seed=42, shingle="words:5"))]
    fn new(num_perm: usize, seed: u64, shingle: &str) -> PyResult<Self> {
        if !(1..=4096).contains(&num_perm) {
            return Err(ConfigError::new_err(format!(
                "invalid parameter: num_perm {num_perm} must be between 1 and 4096"
            )));
        }
        let scheme: ShingleScheme = shingle
            .parse()
            .map_err(|e| ConfigError::new_err(format!("invalid parameter: shingle: {e}")))?;
        Ok(MinHasher {
            hasher: Hasher::new(num_perm, seed),
            scheme,
            seed,
        })
    }

    /// The signature of `text` as little-endian `uint32` bytes (the Python layer views
    /// them as a NumPy array); a text without a shingle has all values at 2³²−1.
    fn signature_bytes(&self, py: Python<'_>, text: &str) -> Vec<u8> {
        let sig = py.detach(|| self.hasher.signature(&shingle_set(text, self.scheme)));
        sig.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    /// The estimated Jaccard similarity of two signatures (the share of equal values).
    #[staticmethod]
    fn estimate(a: Vec<u32>, b: Vec<u32>) -> PyResult<f64> {
        if a.len() != b.len() {
            return Err(ConfigError::new_err(format!(
                "invalid parameter: signatures of {} and {} values cannot be compared",
                a.len(),
                b.len()
            )));
        }
        Ok(minhash::estimate_jaccard(&a, &b))
    }

    #[getter]
    fn num_perm(&self) -> usize {
        self.hasher.num_perm()
    }

    #[getter]
    fn seed(&self) -> u64 {
        self.seed
    }

    #[getter]
    fn shingle(&self) -> String {
        self.scheme.to_string()
    }
}
