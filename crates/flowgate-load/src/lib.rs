//! flowgate-load
