//! Prints the mesh API's OpenAPI 3.1 document (`colonies_core::mesh::openapi::document`).
//!
//! ```text
//! cargo run -p colonies-core --example openapi > openapi.json
//! ```

fn main() {
    let document = colonies_core::mesh::openapi::document();
    match serde_json::to_string_pretty(&document) {
        Ok(text) => println!("{text}"),
        Err(error) => {
            eprintln!("cannot write the document: {error}");
            std::process::exit(1);
        }
    }
}
