//! Writes or checks `core/tests/fixtures/e2e-vectors.json`: deterministic vectors of the
//! end-to-end encryption format (protocol §16): sealed strings (`ce1:`), wrapped keys (`cw1:`)
//! and strings that must not open.
//!
//! ```text
//! cargo run -p colonies-core --example e2e_vectors              # print the vectors
//! cargo run -p colonies-core --example e2e_vectors -- --write   # write the file
//! cargo run -p colonies-core --example e2e_vectors -- --check   # exit 1 if the file differs
//! ```
//!
//! Every input (keys, nonces) is SHA3-256 of a label, so the file is the same on every run;
//! the expected strings are what `colonies_core::e2e` makes of them. The file is checked by
//! `core/tests/e2e_vectors.rs` (natively and on wasm32) and, independently of this crate, by
//! `tests/interop/e2e/check_vectors.py`.

use base64::{Engine, engine::general_purpose::STANDARD_NO_PAD};
use colonies_core::{
    PrivateKey,
    crypto::digest,
    e2e::{DataKey, E2eError, NONCE_LEN, unwrap, wrap},
    hex,
};
use serde::Serialize;
use std::{path::Path, process::ExitCode};

/// Where the vectors live, from the repository's root (for messages).
const PATH: &str = "core/tests/fixtures/e2e-vectors.json";

#[derive(Serialize)]
struct Vectors {
    description: &'static str,
    regenerate: &'static str,
    format: Format,
    seals: Vec<SealCase>,
    wraps: Vec<WrapCase>,
    negative: Vec<NegativeCase>,
}

#[derive(Serialize)]
struct Format {
    sealed: &'static str,
    sealed_aad: &'static str,
    wrapped: &'static str,
    wrapped_steps: &'static str,
    wrapped_aad: &'static str,
    errors: &'static str,
}

#[derive(Serialize)]
struct SealCase {
    label: &'static str,
    key: String,
    version: u32,
    colony: &'static str,
    nonce: String,
    /// `None` when the plaintext is not UTF-8.
    plaintext_utf8: Option<String>,
    plaintext_hex: String,
    sealed: String,
}

#[derive(Serialize)]
struct WrapCase {
    label: &'static str,
    data_key: String,
    version: u32,
    member_prvkey: String,
    member_pubkey: String,
    ephemeral_prvkey: String,
    ephemeral_pubkey: String,
    nonce: String,
    wrapped: String,
}

#[derive(Serialize)]
struct NegativeCase {
    label: String,
    /// `open` (with `key`, `version`, `colony`) or `unwrap` (with `member_prvkey`).
    op: &'static str,
    input: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    colony: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    member_prvkey: Option<String>,
    error: &'static str,
}

/// SHA3-256 of a label: a deterministic input.
fn derived(label: &str) -> [u8; 32] {
    digest(format!("colonies-edge e2e vector: {label}").as_bytes())
}

fn nonce(label: &str) -> [u8; NONCE_LEN] {
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&derived(label)[..NONCE_LEN]);
    nonce
}

fn private_key(label: &str) -> PrivateKey {
    PrivateKey::from_bytes(derived(label)).expect("SHA3-256 of a label is a valid scalar")
}

/// The name of an error in the vectors.
fn error_name(error: &E2eError) -> &'static str {
    match error {
        E2eError::Malformed(_) => "malformed",
        E2eError::NoKey { .. } => "no_key",
        E2eError::Forged => "forged",
        E2eError::BadPublicKey => "bad_public_key",
        E2eError::Entropy => "entropy",
    }
}

/// `text` with the character at `index` changed to another base64 character.
fn change_char(text: &str, index: usize) -> String {
    let old = text.as_bytes()[index];
    set_char(text, index, if old == b'A' { 'B' } else { 'A' })
}

/// `text` with the (ASCII) character at `index` replaced by `new`.
fn set_char(text: &str, index: usize, new: char) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    chars[index] = new;
    chars.into_iter().collect()
}

fn seal_case(
    label: &'static str,
    version: u32,
    colony: &'static str,
    plaintext: &[u8],
) -> SealCase {
    let key = derived(&format!("{label} key"));
    let nonce = nonce(&format!("{label} nonce"));
    let sealed = DataKey::from_bytes(version, key).seal(colony, plaintext, nonce);
    SealCase {
        label,
        key: hex::encode(&key),
        version,
        colony,
        nonce: hex::encode(&nonce),
        plaintext_utf8: std::str::from_utf8(plaintext).ok().map(str::to_owned),
        plaintext_hex: hex::encode(plaintext),
        sealed,
    }
}

fn wrap_case(label: &'static str, version: u32, member: &PrivateKey) -> WrapCase {
    let data_key = derived(&format!("{label} data key"));
    let ephemeral = private_key(&format!("{label} ephemeral"));
    let nonce = nonce(&format!("{label} nonce"));
    let wrapped =
        wrap(&DataKey::from_bytes(version, data_key), &member.public_key(), &ephemeral, nonce)
            .expect("a valid member key");
    WrapCase {
        label,
        data_key: hex::encode(&data_key),
        version,
        member_prvkey: member.to_hex(),
        member_pubkey: member.public_key().to_hex(),
        ephemeral_prvkey: ephemeral.to_hex(),
        ephemeral_pubkey: ephemeral.public_key().to_hex(),
        nonce: hex::encode(&nonce),
        wrapped,
    }
}

/// A string that must not open with `key` (of `version`) in `colony`: the error it gives.
fn open_case(
    label: &str,
    input: String,
    key: [u8; 32],
    version: u32,
    colony: &str,
) -> NegativeCase {
    let error = match DataKey::from_bytes(version, key).open(colony, &input) {
        Ok(_) => panic!("negative case {label:?} opens"),
        Err(error) => error_name(&error),
    };
    NegativeCase {
        label: label.into(),
        op: "open",
        input,
        key: Some(hex::encode(&key)),
        version: Some(version),
        colony: Some(colony.into()),
        member_prvkey: None,
        error,
    }
}

/// A string that must not unwrap with `member`: the error it gives.
fn unwrap_case(label: &str, input: String, member: &PrivateKey) -> NegativeCase {
    let error = match unwrap(&input, member) {
        Ok(_) => panic!("negative case {label:?} unwraps"),
        Err(error) => error_name(&error),
    };
    NegativeCase {
        label: label.into(),
        op: "unwrap",
        input,
        key: None,
        version: None,
        colony: None,
        member_prvkey: Some(member.to_hex()),
        error,
    }
}

fn seals() -> Vec<SealCase> {
    let long: Vec<u8> = (0..=199u8).collect();
    vec![
        seal_case("short text", 1, "dev", b"secret args"),
        seal_case("a sealed args array", 2, "prod-colony", br#"["secret-arg",42]"#),
        seal_case("a sealed kwargs object", 3, "dev", br#"{"mode":"secret-kwarg","n":1}"#),
        seal_case("empty plaintext", 1, "dev", b""),
        seal_case("unicode text", 7, "dev", "h\u{e9}llo w\u{f6}rld \u{2713}".as_bytes()),
        seal_case("bytes that are not UTF-8", 1, "dev", &[0x00, 0xff, 0xfe, 0x80, 0x0a]),
        seal_case("200 bytes (several ChaCha20 blocks)", 12, "colony-with-a-longer-name", &long),
        seal_case("the largest version", u32::MAX, "dev", b"v"),
    ]
}

fn wraps() -> Vec<WrapCase> {
    vec![
        wrap_case("member alice, version 1", 1, &private_key("member alice")),
        wrap_case("member bob, version 2", 2, &private_key("member bob")),
        wrap_case("member alice, version 3", 3, &private_key("member alice")),
        wrap_case("the largest version", u32::MAX, &private_key("member carol")),
    ]
}

fn negative(seals: &[SealCase], wraps: &[WrapCase]) -> Vec<NegativeCase> {
    let first = &seals[0];
    let key: [u8; 32] = hex::decode_array(&first.key).expect("hex");
    let sealed = first.sealed.clone();
    let body_start = "ce1:1:".len();
    let other_key = derived("another key");
    let mut cases = vec![
        open_case("another colony", sealed.clone(), key, 1, "prod"),
        open_case("another key of the same version", sealed.clone(), other_key, 1, "dev"),
        open_case(
            "one base64 character of the nonce changed",
            change_char(&sealed, body_start + 5),
            key,
            1,
            "dev",
        ),
        open_case(
            "one base64 character of the ciphertext changed",
            change_char(&sealed, body_start + 34),
            key,
            1,
            "dev",
        ),
        open_case(
            "one base64 character of the tag changed",
            change_char(&sealed, sealed.len() - 4),
            key,
            1,
            "dev",
        ),
        open_case(
            "relabelled as version 2, opened with the same bytes as version 2",
            sealed.replacen("ce1:1:", "ce1:2:", 1),
            key,
            2,
            "dev",
        ),
        open_case("a version this key is not", sealed.clone(), key, 2, "dev"),
        open_case("prefix in capitals", sealed.replacen("ce1:", "CE1:", 1), key, 1, "dev"),
        open_case("no version", sealed.replacen("ce1:1:", "ce1::", 1), key, 1, "dev"),
        open_case(
            "a version that is not a number",
            sealed.replacen("ce1:1:", "ce1:v1:", 1),
            key,
            1,
            "dev",
        ),
        open_case(
            "a character outside base64",
            set_char(&sealed, body_start + 10, '*'),
            key,
            1,
            "dev",
        ),
        open_case(
            "shorter than a nonce and a tag",
            format!("ce1:1:{}", STANDARD_NO_PAD.encode([0u8; 39])),
            key,
            1,
            "dev",
        ),
    ];
    // The base64 of a sealed string has no '=' padding, and the bits of its last character
    // that hold no byte are zero: a padded body, or one with those bits set, is refused.
    let short = seals
        .iter()
        .find(|case| (case.sealed.len() - case.sealed.rfind(':').expect("ce1") - 1) % 4 == 2)
        .expect("a sealed string whose base64 ends in two characters of one byte");
    let short_key: [u8; 32] = hex::decode_array(&short.key).expect("hex");
    let (version, colony) = (short.version, short.colony);
    cases.push(open_case(
        "base64 with '=' padding",
        format!("{}==", short.sealed),
        short_key,
        version,
        colony,
    ));
    // The last character holds 2 bits of the last byte and 4 unused bits: set one.
    let last = short.sealed.len() - 1;
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let value = alphabet.find(short.sealed[last..].chars().next().expect("a char")).expect("b64");
    let unused_bit_set = alphabet.as_bytes()[value | 1] as char;
    cases.push(open_case(
        "base64 whose last character has an unused bit set (not canonical)",
        set_char(&short.sealed, last, unused_bit_set),
        short_key,
        version,
        colony,
    ));

    let wrapped = &wraps[0];
    let member = PrivateKey::from_bytes(hex::decode_array(&wrapped.member_prvkey).expect("hex"))
        .expect("a key");
    let text = wrapped.wrapped.clone();
    let body_start = "cw1:1:".len();
    let mut bytes = STANDARD_NO_PAD.decode(&text[body_start..]).expect("base64");
    // The last byte of the ephemeral key's Y: the point leaves the curve.
    bytes[64] ^= 1;
    let off_curve = format!("cw1:1:{}", STANDARD_NO_PAD.encode(&bytes));
    bytes[64] ^= 1;
    // An ephemeral key given compressed (0x02/0x03): not the format.
    let mut compressed = bytes.clone();
    compressed[0] = 0x02;
    let compressed = format!("cw1:1:{}", STANDARD_NO_PAD.encode(&compressed));
    cases.extend([
        unwrap_case("another member's key", text.clone(), &private_key("member bob")),
        unwrap_case("relabelled as version 2", text.replacen("cw1:1:", "cw1:2:", 1), &member),
        unwrap_case(
            "one base64 character of the sealed key changed",
            change_char(&text, text.len() - 30),
            &member,
        ),
        unwrap_case(
            "one base64 character of the nonce changed",
            change_char(&text, body_start + 90),
            &member,
        ),
        unwrap_case("the ephemeral key off the curve", off_curve, &member),
        unwrap_case("the ephemeral key's first byte not 0x04", compressed, &member),
        unwrap_case("four characters short", text[..text.len() - 4].to_owned(), &member),
        unwrap_case("a sealed string's prefix", text.replacen("cw1:", "ce1:", 1), &member),
        unwrap_case(
            "a version that is not a number",
            text.replacen("cw1:1:", "cw1:one:", 1),
            &member,
        ),
    ]);
    cases
}

fn vectors() -> Vectors {
    let seals = seals();
    let wraps = wraps();
    let negative = negative(&seals, &wraps);
    Vectors {
        description: "End-to-end encrypted payloads (docs/protocol.md §16): sealed strings, wrapped \
            keys, and strings that must not open. Hex is lowercase; inputs are SHA3-256 of labels.",
        regenerate: "cargo run -p colonies-core --example e2e_vectors -- --write",
        format: Format {
            sealed: "ce1:<version>:<base64 standard alphabet, no padding, of nonce(24) || \
                XChaCha20-Poly1305 ciphertext || tag(16)>",
            sealed_aad: "UTF-8 of ce1:<colony>:<version>",
            wrapped: "cw1:<version>:<base64 standard alphabet, no padding, of ephemeral public \
                key (65, uncompressed SEC1) || nonce(24) || XChaCha20-Poly1305 of the 32-byte \
                data key (48)>",
            wrapped_steps: "shared = x coordinate (32 bytes) of ECDH(ephemeral secret, member \
                public key) on secp256k1; kek = HKDF-SHA256(ikm = shared, salt = ephemeral \
                public key (65) || member public key (65), info = colonies-edge/e2e/wrap/v1, \
                length 32)",
            wrapped_aad: "UTF-8 of cw1:<version>",
            errors: "malformed: not the form (prefix, version, base64, length); no_key: the \
                string names another version than the key's; forged: the AEAD refuses it \
                (another key, colony, version or a changed byte); bad_public_key: the \
                ephemeral key is not an uncompressed point of the curve",
        },
        seals,
        wraps,
        negative,
    }
}

fn main() -> ExitCode {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/e2e-vectors.json");
    let mut text = serde_json::to_string_pretty(&vectors()).expect("the vectors serialize");
    text.push('\n');
    match std::env::args().nth(1).unwrap_or_default().as_str() {
        "" => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        "--write" => {
            std::fs::write(&path, text).expect("write the vectors");
            println!("wrote {}", path.display());
            ExitCode::SUCCESS
        }
        "--check" => {
            if std::fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) {
                ExitCode::SUCCESS
            } else {
                eprintln!(
                    "{PATH} differs from what the example makes: run \
                     `cargo run -p colonies-core --example e2e_vectors -- --write`"
                );
                ExitCode::FAILURE
            }
        }
        other => {
            eprintln!("unknown argument {other:?}: use --write, --check or nothing");
            ExitCode::from(2)
        }
    }
}
