//! Technical indicators computed in batches over parameter grids (placeholder until the ALMA issue).
#![deny(missing_docs)]
