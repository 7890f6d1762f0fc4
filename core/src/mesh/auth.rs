//! Who is calling the mesh's REST API, without shared secrets: the two credentials a request
//! may carry in its `Authorization` header, how a client makes them, and how a server reads
//! them back into a Colonies identity.
//!
//! Both are a claim (a small JSON object, base64url without padding) and a Colonies signature
//! (secp256k1 over SHA3-256 of the claim's base64url text, 130 hex characters), joined by a dot:
//!
//! | scheme | claim | for |
//! |---|---|---|
//! | `Bearer <claim>.<signature>` | a [`TokenClaim`]: colony, audience, issued at, expires at | clients that can only send a bearer token (CryptoMesh's own); valid until it expires, at most [`MAX_TOKEN_TTL_MS`] |
//! | `Colonies-Signature <claim>.<signature>` | a [`RequestClaim`]: colony, method, path, SHA3-256 of the body, and the replay binding (`nonce`, `signedat`, `audience`) | our clients; one request, once |
//!
//! The server recovers the signer's ID from the signature, as it does for RPC, and stores no
//! token. A request claim's binding goes through the same rules as an RPC's
//! ([`crate::rules::replay`]): the server records the nonce, and a second use is refused.

use crate::{
    crypto::{Id, PrivateKey, Signature, digest},
    hex,
    rules::replay::{Binding, NONCE_HEX_LEN},
};
use alloc::{
    format,
    string::{String, ToString},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use core::fmt;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

/// The longest a token may live: 24 hours, in milliseconds.
pub const MAX_TOKEN_TTL_MS: i64 = 24 * 60 * 60 * 1000;

/// How far ahead of the server's clock a token's `issuedat` may be (clock skew), in ms.
pub const CLOCK_SKEW_MS: i64 = 60_000;

/// The `typ` of a token claim.
pub const TOKEN_TYPE: &str = "colonies-edge/token";

/// The `typ` of a request claim.
pub const REQUEST_TYPE: &str = "colonies-edge/request";

/// The `Authorization` scheme of a signed request.
pub const SIGNATURE_SCHEME: &str = "Colonies-Signature";

/// The longest claim text a server reads, in characters.
const MAX_CLAIM_LEN: usize = 4096;

/// What a bearer token says: signed by its holder's key, it names the colony the holder acts
/// in, the server it is for and when it stops being valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenClaim {
    /// Always [`TOKEN_TYPE`].
    pub typ: String,
    /// The colony whose mesh the holder acts in.
    pub colonyname: String,
    /// The ID of the server it is for (`serverid` of `getserverinfomsg`).
    pub audience: String,
    /// When it was made, Unix milliseconds.
    pub issuedat: i64,
    /// When it stops being valid, Unix milliseconds; at most [`MAX_TOKEN_TTL_MS`] after
    /// `issuedat`.
    pub expiresat: i64,
}

/// What a signed request says: which request (method, path, body) in which colony, bound to
/// a moment, a nonce and a server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestClaim {
    /// Always [`REQUEST_TYPE`].
    pub typ: String,
    /// The colony whose mesh the request acts in.
    pub colonyname: String,
    /// The HTTP method, upper case.
    pub method: String,
    /// The request target as sent: the path and, if any, `?` and the query.
    pub path: String,
    /// SHA3-256 of the body bytes, 64 lower-case hex characters (of nothing, for no body).
    pub bodydigest: String,
    /// 32 lower-case hex characters, never reused.
    pub nonce: String,
    /// When the client signed, Unix milliseconds.
    pub signedat: i64,
    /// The ID of the server it is for.
    pub audience: String,
}

/// What a request is, as far as a signature covers it.
#[derive(Debug, Clone, Copy)]
pub struct RequestParts<'a> {
    /// The HTTP method.
    pub method: &'a str,
    /// The path and, if any, `?` and the query, as received.
    pub path: &'a str,
    /// The body bytes.
    pub body: &'a [u8],
}

/// Who a request's credential says is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// No `Authorization` header.
    Anonymous,
    /// A valid bearer token.
    Token {
        /// The signer's ID.
        id: Id,
        /// The colony it names.
        colonyname: String,
        /// The server it is for.
        audience: String,
    },
    /// A valid request signature; its binding is still to be recorded by the server.
    Signed {
        /// The signer's ID.
        id: Id,
        /// The colony it names.
        colonyname: String,
        /// The replay binding to check and record.
        binding: Binding,
    },
}

impl Caller {
    /// The caller's ID, unless anonymous.
    pub const fn id(&self) -> Option<&Id> {
        match self {
            Self::Anonymous => None,
            Self::Token { id, .. } | Self::Signed { id, .. } => Some(id),
        }
    }

    /// Whether the credential is for the server `server_id` (an anonymous caller is).
    pub fn check_audience(&self, server_id: &str) -> Result<(), AuthError> {
        let audience = match self {
            Self::Anonymous => return Ok(()),
            Self::Token { audience, .. } => audience,
            Self::Signed { binding, .. } => &binding.audience,
        };
        if audience == server_id { Ok(()) } else { Err(AuthError::WrongAudience) }
    }

    /// The colony the credential names, unless anonymous.
    pub fn colonyname(&self) -> Option<&str> {
        match self {
            Self::Anonymous => None,
            Self::Token { colonyname, .. } | Self::Signed { colonyname, .. } => Some(colonyname),
        }
    }
}

/// Why a credential is refused: always 401, and nothing is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// The header is not `Bearer …` or `Colonies-Signature …` with a claim and a signature.
    Malformed(String),
    /// The signature is not one, or not over this claim.
    BadSignature,
    /// The claim is for another server.
    WrongAudience,
    /// The token's `expiresat` has passed; `server_ms` is the server's clock.
    Expired {
        /// The server's clock, Unix ms.
        server_ms: i64,
    },
    /// The token is issued in the future, or lives longer than 24 hours.
    BadLifetime(String),
    /// A signed request's method, path or body is not what its claim covers.
    Mismatch(&'static str),
    /// The caller asked to make a token that a server would refuse.
    BadRequest(String),
}

impl AuthError {
    /// The HTTP status: 401 (400 when a client asks [`mint_token`] for a bad token).
    pub const fn status(&self) -> u16 {
        match self {
            Self::BadRequest(_) => 400,
            _ => 401,
        }
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(why) => write!(f, "invalid credential: {why}"),
            Self::BadSignature => {
                f.write_str("invalid credential: the signature does not verify over the claim")
            }
            Self::WrongAudience => f.write_str(
                "invalid credential: wrong audience: it is meant for another server (ask \
                 getserverinfomsg for this server's serverid)",
            ),
            Self::Expired { server_ms } => write!(
                f,
                "invalid credential: the token has expired (the server's time is {server_ms}, \
                 Unix ms); make a new one with `colonies-edge token create`"
            ),
            Self::BadLifetime(why) | Self::BadRequest(why) => {
                write!(f, "invalid credential: {why}")
            }
            Self::Mismatch(what) => write!(
                f,
                "invalid credential: the request's {what} is not the one the signature covers"
            ),
        }
    }
}

impl core::error::Error for AuthError {}

/// `claim` as base64url JSON, signed: `<claim>.<signature>`.
fn seal<T: Serialize>(key: &PrivateKey, claim: &T) -> String {
    let json = serde_json::to_vec(claim).unwrap_or_default();
    let encoded = URL_SAFE_NO_PAD.encode(json);
    let signature = key.sign(encoded.as_bytes());
    format!("{encoded}.{}", signature.to_hex())
}

/// Reads `<claim>.<signature>`: the claim and who signed it.
fn unseal<T: DeserializeOwned>(sealed: &str) -> Result<(T, Id), AuthError> {
    let (encoded, signature) = sealed
        .trim()
        .split_once('.')
        .ok_or_else(|| AuthError::Malformed("expected <claim>.<signature>".into()))?;
    if encoded.len() > MAX_CLAIM_LEN {
        return Err(AuthError::Malformed("the claim is too long".into()));
    }
    let json = URL_SAFE_NO_PAD
        .decode(encoded)
        .map_err(|_| AuthError::Malformed("the claim is not base64url without padding".into()))?;
    let claim = serde_json::from_slice(&json)
        .map_err(|_| AuthError::Malformed("the claim is not the expected JSON object".into()))?;
    let signature: Signature = signature.parse().map_err(|_| AuthError::BadSignature)?;
    let id = signature.recover_id(encoded.as_bytes()).map_err(|_| AuthError::BadSignature)?;
    Ok((claim, id))
}

/// SHA3-256 of a body, as a request claim carries it.
pub fn body_digest(body: &[u8]) -> String {
    hex::encode(&digest(body))
}

/// A bearer token for `colonyname` on the server `audience`, valid from `now_ms` for `ttl_ms`
/// (more than 0, at most [`MAX_TOKEN_TTL_MS`]).
pub fn mint_token(
    key: &PrivateKey,
    colonyname: &str,
    audience: &str,
    now_ms: i64,
    ttl_ms: i64,
) -> Result<String, AuthError> {
    if ttl_ms <= 0 || ttl_ms > MAX_TOKEN_TTL_MS {
        return Err(AuthError::BadRequest(format!(
            "a token lives more than 0 s and at most 24 h, not {} s",
            ttl_ms / 1000
        )));
    }
    if colonyname.is_empty() || audience.is_empty() {
        return Err(AuthError::BadRequest("a token names a colony and a server".into()));
    }
    let claim = TokenClaim {
        typ: TOKEN_TYPE.into(),
        colonyname: colonyname.into(),
        audience: audience.into(),
        issuedat: now_ms,
        expiresat: now_ms.saturating_add(ttl_ms),
    };
    Ok(seal(key, &claim))
}

/// The `Authorization` header value that signs one request in `colonyname`, bound by `binding`
/// (a fresh nonce, the time and the server's ID).
pub fn sign_request(
    key: &PrivateKey,
    colonyname: &str,
    request: RequestParts<'_>,
    binding: &Binding,
) -> String {
    let claim = RequestClaim {
        typ: REQUEST_TYPE.into(),
        colonyname: colonyname.into(),
        method: request.method.to_ascii_uppercase(),
        path: request.path.into(),
        bodydigest: body_digest(request.body),
        nonce: binding.nonce.clone(),
        signedat: binding.signedat,
        audience: binding.audience.clone(),
    };
    format!("{SIGNATURE_SCHEME} {}", seal(key, &claim))
}

/// Reads a request's `Authorization` header (`None`: no header) into the caller, checking
/// everything that needs neither storage nor the server's ID: the signature, a token's
/// lifetime at `now_ms`, and that a signed request's claim covers this request. The server
/// then checks the audience ([`Caller::check_audience`]) and records a signed request's
/// binding (see [`crate::rules::replay`]).
pub fn authenticate(
    authorization: Option<&str>,
    request: RequestParts<'_>,
    now_ms: i64,
) -> Result<Caller, AuthError> {
    let Some(header) = authorization.map(str::trim).filter(|h| !h.is_empty()) else {
        return Ok(Caller::Anonymous);
    };
    let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
    if scheme.eq_ignore_ascii_case("bearer") {
        let (claim, id) = unseal::<TokenClaim>(rest)?;
        check_token(&claim, now_ms)?;
        Ok(Caller::Token { id, colonyname: claim.colonyname, audience: claim.audience })
    } else if scheme.eq_ignore_ascii_case(SIGNATURE_SCHEME) {
        let (claim, id) = unseal::<RequestClaim>(rest)?;
        check_request(&claim, request)?;
        let binding =
            Binding { nonce: claim.nonce, signedat: claim.signedat, audience: claim.audience };
        Ok(Caller::Signed { id, colonyname: claim.colonyname, binding })
    } else {
        Err(AuthError::Malformed(format!(
            "the Authorization scheme is Bearer or {SIGNATURE_SCHEME}, not {scheme:?}"
        )))
    }
}

fn check_token(claim: &TokenClaim, now_ms: i64) -> Result<(), AuthError> {
    if claim.typ != TOKEN_TYPE {
        return Err(AuthError::Malformed(format!("a bearer token's typ is {TOKEN_TYPE}")));
    }
    if claim.expiresat.saturating_sub(claim.issuedat) > MAX_TOKEN_TTL_MS {
        return Err(AuthError::BadLifetime("a token lives at most 24 hours".into()));
    }
    if claim.issuedat > now_ms.saturating_add(CLOCK_SKEW_MS) {
        return Err(AuthError::BadLifetime("the token is issued in the future".into()));
    }
    if now_ms >= claim.expiresat {
        return Err(AuthError::Expired { server_ms: now_ms });
    }
    Ok(())
}

fn check_request(claim: &RequestClaim, request: RequestParts<'_>) -> Result<(), AuthError> {
    if claim.typ != REQUEST_TYPE {
        return Err(AuthError::Malformed(format!("a signed request's typ is {REQUEST_TYPE}")));
    }
    if !claim.method.eq_ignore_ascii_case(request.method) {
        return Err(AuthError::Mismatch("method"));
    }
    if claim.path != request.path {
        return Err(AuthError::Mismatch("path"));
    }
    if claim.bodydigest != body_digest(request.body) {
        return Err(AuthError::Mismatch("body"));
    }
    let nonce_ok = claim.nonce.len() == NONCE_HEX_LEN
        && claim.nonce.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if !nonce_ok || claim.signedat <= 0 {
        return Err(AuthError::Malformed(
            "nonce is 32 lower-case hex characters and signedat a positive Unix ms time".into(),
        ));
    }
    Ok(())
}

impl TokenClaim {
    /// Reads a token's claim without checking it (for tools that show what a token says).
    pub fn peek(token: &str) -> Result<(Self, Id), AuthError> {
        let token = token.trim();
        unseal(token.strip_prefix("Bearer ").unwrap_or(token))
    }
}

impl fmt::Display for TokenClaim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&serde_json::to_string(self).unwrap_or_else(|_| self.colonyname.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVER: &str = "5e";
    const NOW: i64 = 1_800_000_000_000;

    fn key(n: u8) -> PrivateKey {
        PrivateKey::from_bytes([n; 32]).expect("a valid scalar")
    }

    fn get() -> RequestParts<'static> {
        RequestParts { method: "GET", path: "/api/v1/services/", body: b"" }
    }

    #[test]
    fn a_token_names_its_signer_and_colony_until_it_expires() {
        let token = mint_token(&key(1), "dev", SERVER, NOW, 3_600_000).unwrap();
        let header = format!("Bearer {token}");
        let caller = authenticate(Some(&header), get(), NOW + 1).unwrap();
        assert_eq!(
            caller,
            Caller::Token { id: key(1).id(), colonyname: "dev".into(), audience: SERVER.into() }
        );
        assert_eq!(caller.colonyname(), Some("dev"));
        assert_eq!(caller.check_audience(SERVER), Ok(()));
        assert_eq!(caller.check_audience("other"), Err(AuthError::WrongAudience));
        assert_eq!(
            authenticate(Some(&header), get(), NOW + 3_600_000),
            Err(AuthError::Expired { server_ms: NOW + 3_600_000 })
        );
        assert!(matches!(
            authenticate(Some(&header), get(), NOW - 120_000),
            Err(AuthError::BadLifetime(_))
        ));
        assert_eq!(TokenClaim::peek(&header).unwrap().0.colonyname, "dev");
    }

    #[test]
    fn a_tampered_token_is_refused_or_names_someone_else() {
        let token = mint_token(&key(1), "dev", SERVER, NOW, 60_000).unwrap();
        let (claim, signature) = token.split_once('.').unwrap();
        // Another colony in the claim: the signature recovers some other key, never key(1).
        let json = serde_json::to_vec(&TokenClaim {
            typ: TOKEN_TYPE.into(),
            colonyname: "prod".into(),
            audience: SERVER.into(),
            issuedat: NOW,
            expiresat: NOW + 60_000,
        })
        .unwrap();
        let forged = format!("Bearer {}.{signature}", URL_SAFE_NO_PAD.encode(json));
        match authenticate(Some(&forged), get(), NOW) {
            Ok(caller) => assert_ne!(caller.id(), Some(&key(1).id())),
            Err(e) => assert_eq!(e, AuthError::BadSignature),
        }
        let cut = format!("Bearer {claim}.{}", &signature[..128]);
        assert_eq!(authenticate(Some(&cut), get(), NOW), Err(AuthError::BadSignature));
        for bad in ["Bearer", "Bearer x", "Bearer !!.00", "Basic abc", "Bearer e30.00"] {
            assert_eq!(authenticate(Some(bad), get(), NOW).unwrap_err().status(), 401);
        }
    }

    #[test]
    fn tokens_live_at_most_a_day() {
        assert!(mint_token(&key(1), "dev", SERVER, NOW, MAX_TOKEN_TTL_MS).is_ok());
        for ttl in [0, -1, MAX_TOKEN_TTL_MS + 1] {
            assert_eq!(mint_token(&key(1), "dev", SERVER, NOW, ttl).unwrap_err().status(), 400);
        }
        // A hand-made claim living longer than a day is refused by the server.
        let claim = TokenClaim {
            typ: TOKEN_TYPE.into(),
            colonyname: "dev".into(),
            audience: SERVER.into(),
            issuedat: NOW,
            expiresat: NOW + MAX_TOKEN_TTL_MS + 1,
        };
        let header = format!("Bearer {}", seal(&key(1), &claim));
        assert!(matches!(authenticate(Some(&header), get(), NOW), Err(AuthError::BadLifetime(_))));
    }

    #[test]
    fn a_signed_request_covers_its_method_path_and_body() {
        let binding = Binding::with_nonce([3; 16], NOW, SERVER);
        let post = RequestParts { method: "POST", path: "/api/v1/roles/", body: b"{\"a\":1}" };
        let header = sign_request(&key(2), "dev", post, &binding);
        let caller = authenticate(Some(&header), post, NOW).unwrap();
        assert_eq!(
            caller,
            Caller::Signed { id: key(2).id(), colonyname: "dev".into(), binding: binding.clone() }
        );
        let other_body = RequestParts { body: b"{\"a\":2}", ..post };
        let other_path = RequestParts { path: "/api/v1/roles", ..post };
        let other_method = RequestParts { method: "PUT", ..post };
        assert_eq!(authenticate(Some(&header), other_body, NOW), Err(AuthError::Mismatch("body")));
        assert_eq!(authenticate(Some(&header), other_path, NOW), Err(AuthError::Mismatch("path")));
        assert_eq!(
            authenticate(Some(&header), other_method, NOW),
            Err(AuthError::Mismatch("method"))
        );
        assert_eq!(caller.check_audience("other"), Err(AuthError::WrongAudience));
        assert_eq!(authenticate(None, post, NOW), Ok(Caller::Anonymous));
        // A signed request is not a bearer token.
        let as_bearer = header.replacen(SIGNATURE_SCHEME, "Bearer", 1);
        assert!(matches!(authenticate(Some(&as_bearer), post, NOW), Err(AuthError::Malformed(_))));
    }
}
