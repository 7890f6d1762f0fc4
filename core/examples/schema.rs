//! Writes or checks the generated protocol files (see `colonies_core::schema`):
//! `schema/colonies.schema.json` and `wasm-client/src/protocol.d.ts`.
//!
//! ```text
//! cargo run -p colonies-core --features schema --example schema            # print the schema
//! cargo run -p colonies-core --features schema --example schema -- --write # write both files
//! cargo run -p colonies-core --features schema --example schema -- --check # exit 1 if stale
//! ```

use colonies_core::schema::{SCHEMA_PATH, TYPESCRIPT_PATH, document_text, typescript_text};
use std::{path::Path, process::ExitCode};

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let files = [(SCHEMA_PATH, document_text()), (TYPESCRIPT_PATH, typescript_text())];
    let mode = std::env::args().nth(1).unwrap_or_default();
    match mode.as_str() {
        "" => {
            print!("{}", files[0].1);
            ExitCode::SUCCESS
        }
        "--write" => {
            for (path, text) in &files {
                let path = root.join(path);
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).expect("create the folder");
                }
                std::fs::write(&path, text).expect("write the file");
                println!("wrote {}", path.display());
            }
            ExitCode::SUCCESS
        }
        "--check" => {
            let stale: Vec<&str> = files
                .iter()
                .filter(|(path, text)| {
                    std::fs::read_to_string(root.join(path)).ok().as_ref() != Some(text)
                })
                .map(|(path, _)| *path)
                .collect();
            for path in &stale {
                eprintln!("{path} is stale: run `{}`", colonies_core::schema::REGENERATE);
            }
            if stale.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
        }
        other => {
            eprintln!("unknown argument {other:?}: use --write, --check or nothing");
            ExitCode::from(2)
        }
    }
}
