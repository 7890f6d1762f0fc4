//! The TypeScript declarations of the package: models (protocol §5) and messages (§4), with
//! field names exactly as on the wire. The generated `.d.ts` refers to these names from the
//! `unchecked_*_type` attributes of the client's methods.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");
