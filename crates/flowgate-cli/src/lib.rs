//! flowgate-cli
