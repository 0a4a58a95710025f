//! content/ → the typed Archive: meetings, speeches, organisations, speakers.

pub mod front_matter;
