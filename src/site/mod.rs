//! Plans and writes every output page.
