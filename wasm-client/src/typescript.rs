//! The TypeScript declarations of the package. `protocol.d.ts` holds the models (protocol §5)
//! and messages (§4), field names exactly as on the wire, generated from colonies-core's JSON
//! Schema (`cargo run -p colonies-core --features schema --example schema -- --write`);
//! `types.d.ts` holds the hand-written rest (JSON helpers, options, subscriptions). The
//! generated `.d.ts` refers to these names from the `unchecked_*_type` attributes of the
//! client's methods.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");

#[wasm_bindgen(typescript_custom_section)]
const PROTOCOL: &str = include_str!("protocol.d.ts");
