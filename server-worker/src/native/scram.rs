//! SCRAM-SHA-256 password verifiers (RFC 5802 / RFC 7677) in the form PostgreSQL stores:
//! `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`.
//!
//! Why: a client pays PBKDF2 with the verifier's iteration count on every new connection
//! (PostgreSQL's default is 4096 rounds of HMAC-SHA-256, about 7 ms of CPU in wasm). The
//! iteration count only slows down guessing a *weak* password from a stolen verifier; the
//! clusters this server creates have a random 256-bit password, which no count makes
//! guessable or safer. So they are created with [`ITERATIONS`], and a Worker, which opens
//! a connection per request, does not spend its CPU budget on the handshake.

use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// The iteration count of the verifiers this server creates (for random 256-bit passwords).
pub const ITERATIONS: u32 = 16;

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC takes keys of any length.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// PBKDF2-HMAC-SHA-256 with one output block (`Hi` of RFC 5802).
fn salted_password(password: &[u8], salt: &[u8], iterations: u32) -> [u8; 32] {
    let mut block = hmac(password, &[salt, &1u32.to_be_bytes()]);
    let mut sum = block;
    for _ in 1..iterations.max(1) {
        block = hmac(password, &[&block]);
        for (s, b) in sum.iter_mut().zip(block) {
            *s ^= b;
        }
    }
    sum
}

/// The verifier PostgreSQL stores for `password` (`ALTER ROLE … PASSWORD '<verifier>'`,
/// or the content of initdb's `--pwfile`); `password` is used as is (no SASLprep, which
/// leaves ASCII unchanged).
pub fn verifier(password: &str, salt: &[u8], iterations: u32) -> String {
    let salted = salted_password(password.as_bytes(), salt, iterations);
    let client_key = hmac(&salted, &[b"Client Key"]);
    let stored_key = Sha256::digest(client_key);
    let server_key = hmac(&salted, &[b"Server Key"]);
    format!(
        "SCRAM-SHA-256${}:{}${}:{}",
        iterations.max(1),
        STANDARD.encode(salt),
        STANDARD.encode(stored_key),
        STANDARD.encode(server_key)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7677 §3: user "user", password "pencil", 4096 iterations, salt
    /// "W22ZaJ0SNY7soEsUEjb6gQ==": the client proof in that exchange follows from this
    /// StoredKey, which PostgreSQL computes the same way.
    #[test]
    fn matches_the_rfc_7677_exchange() {
        let salt = STANDARD.decode("W22ZaJ0SNY7soEsUEjb6gQ==").expect("base64");
        let salted = salted_password(b"pencil", &salt, 4096);
        let auth_message = "n=user,r=rOprNGfwEbeRWgbNEkqO,\
            r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,\
            c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        let client_key = hmac(&salted, &[b"Client Key"]);
        let signature = hmac(&Sha256::digest(client_key), &[auth_message.as_bytes()]);
        let proof: Vec<u8> = client_key.iter().zip(signature).map(|(k, s)| k ^ s).collect();
        assert_eq!(STANDARD.encode(proof), "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        let server_signature = hmac(&hmac(&salted, &[b"Server Key"]), &[auth_message.as_bytes()]);
        assert_eq!(
            STANDARD.encode(server_signature),
            "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
        );
    }

    #[test]
    fn has_the_form_postgres_stores() {
        let v = verifier("secret", &[7; 16], ITERATIONS);
        let parts: Vec<&str> = v.split('$').collect();
        assert_eq!(parts.len(), 3, "{v}");
        assert_eq!(parts[0], "SCRAM-SHA-256");
        assert_eq!(parts[1], format!("16:{}", STANDARD.encode([7; 16])));
        assert_eq!(parts[2].split(':').count(), 2);
    }
}
