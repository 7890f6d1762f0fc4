//! Sign, recover + ID, and whole-envelope verification, per signature backend.
//!
//! `cargo bench -p colonies-core` measures k256; add `--features secp256k1` to measure
//! libsecp256k1 beside it (the envelope group then runs on libsecp256k1, the active backend).
// A failed unwrap is a failed test: that is the point here.
#![allow(clippy::unwrap_used)]

use colonies_core::{
    Id, PrivateKey, RpcMsg,
    crypto::{
        backend::{Active, Backend, K256},
        digest,
    },
    hex,
};
use core::hint::black_box;
use criterion::{Criterion, criterion_group, criterion_main};

const PRIVATE_KEY: &str = "ddf7f7791208083b6a9ed975a72684f6406a269cfa36f1b1c32045c0a71fff05";
const PAYLOAD: &str = r#"{"colonyname":"dev","timeout":10,"availablecpu":"","availablemem":"","msgtype":"assignprocessmsg"}"#;

fn backend<B: Backend>(c: &mut Criterion) {
    let key: PrivateKey = PRIVATE_KEY.parse().unwrap();
    let secret = key.to_bytes();
    let hash = digest(PAYLOAD.as_bytes());
    let (rs, v) = B::sign_prehash(&secret, &hash).unwrap();
    let mut group = c.benchmark_group(B::NAME);
    group.bench_function("sign", |b| {
        b.iter(|| B::sign_prehash(black_box(&secret), black_box(&hash)))
    });
    group.bench_function("recover", |b| b.iter(|| B::recover_prehash(black_box(&hash), &rs, v)));
    group.bench_function("recover+id", |b| {
        b.iter(|| {
            let public = B::recover_prehash(black_box(&hash), &rs, v).unwrap();
            Id::hash_of(&hex::encode(&public))
        })
    });
    group.finish();
}

fn envelope(c: &mut Criterion) {
    let key: PrivateKey = PRIVATE_KEY.parse().unwrap();
    let body = RpcMsg::sign("assignprocessmsg", PAYLOAD, &key).to_json();
    let mut group = c.benchmark_group(format!("envelope/{}", Active::NAME));
    group.bench_function("sign request", |b| {
        b.iter(|| RpcMsg::sign("assignprocessmsg", black_box(PAYLOAD), &key).to_json())
    });
    group.bench_function("verify request", |b| {
        b.iter(|| {
            let request = RpcMsg::parse(black_box(body.as_bytes())).unwrap();
            let caller = request.recover_caller().unwrap();
            let payload: serde_json::Value = request.open().unwrap();
            (caller, payload)
        })
    });
    group.finish();
}

fn all(c: &mut Criterion) {
    backend::<K256>(c);
    #[cfg(feature = "secp256k1")]
    backend::<colonies_core::crypto::backend::LibSecp256k1>(c);
    envelope(c);
}

criterion_group!(benches, all);
criterion_main!(benches);
