//! rayon-web
#![deny(missing_docs)]
