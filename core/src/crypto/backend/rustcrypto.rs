use super::Backend;
use k256::{
    AffinePoint, NonZeroScalar, ProjectivePoint, Scalar, Secp256k1, U256,
    ecdsa::{RecoveryId, Signature, SigningKey, VerifyingKey},
    elliptic_curve::{
        BatchNormalize, Curve, Group,
        bigint::{ArrayEncoding, Limb},
        ops::{MulByGeneratorVartime, Reduce},
        point::DecompressPoint,
        subtle::Choice,
    },
    sha2::Sha256,
};

/// The pure-Rust RustCrypto `k256` backend: portable (wasm32, bare metal), the default.
#[derive(Debug, Clone, Copy)]
pub struct K256;

fn uncompressed(key: &VerifyingKey) -> Option<[u8; 65]> {
    key.to_sec1_point(false).as_bytes().try_into().ok()
}

impl Backend for K256 {
    const NAME: &'static str = "k256";

    fn public_key(secret: &[u8; 32]) -> Option<[u8; 65]> {
        let key = SigningKey::from_slice(secret).ok()?;
        uncompressed(key.verifying_key())
    }

    fn sign_prehash(secret: &[u8; 32], digest: &[u8; 32]) -> Option<([u8; 64], u8)> {
        // The nonce and signature straight from the secret scalar: `SigningKey` would first
        // derive the public key (a second scalar multiplication), which signing never uses.
        let secret: NonZeroScalar = NonZeroScalar::try_from(&secret[..]).ok()?;
        let (signature, recid) =
            ecdsa::hazmat::sign_prehashed_rfc6979::<Secp256k1, Sha256>(&secret, digest, b"");
        // k256 already normalises to low-S and flips the recovery id with it; this keeps the
        // guarantee explicit should that default ever change.
        let (signature, recid) = match signature.normalize_s() {
            normalized if normalized != signature => {
                (normalized, RecoveryId::new(!recid.is_y_odd(), recid.is_x_reduced()))
            }
            _ => (signature, recid),
        };
        Some((signature.to_bytes().into(), recid.to_byte()))
    }

    /// Public key recovery (SEC 1 v2 §4.1.6) with k256's variable-time arithmetic: every input
    /// is public, so the constant-time inversions `VerifyingKey::recover_from_prehash` pays
    /// for (of r, and of the result's Z) are not needed. Q = r⁻¹(sR − zG), with R the curve
    /// point of x = r (+ n when the recovery id says x was reduced) and the y parity of the
    /// recovery id.
    fn recover_prehash(digest: &[u8; 32], rs: &[u8; 64], v: u8) -> Option<[u8; 65]> {
        let signature = Signature::from_slice(rs).ok()?;
        let recid = RecoveryId::from_byte(v)?;
        let (r, s) = signature.split_scalars();
        let x = if recid.is_x_reduced() {
            // r + n must still be a field element (< p); decompression rejects it otherwise.
            let (sum, carry) = U256::from_be_slice(&r.to_bytes())
                .carrying_add(&Secp256k1::ORDER.get(), Limb::ZERO);
            if carry != Limb::ZERO {
                return None;
            }
            sum.to_be_byte_array()
        } else {
            r.to_bytes()
        };
        let big_r: ProjectivePoint = Option::<AffinePoint>::from(AffinePoint::decompress(
            &x,
            Choice::from(u8::from(recid.is_y_odd())),
        ))?
        .into();
        let z = <Scalar as Reduce<U256>>::reduce(&U256::from_be_slice(digest));
        let r_inv = Option::<Scalar>::from(r.as_ref().invert_vartime())?;
        let u1 = -(r_inv * z);
        let u2 = r_inv * s.as_ref();
        let q = ProjectivePoint::mul_by_generator_and_mul_add_vartime(&u1, &u2, &big_r);
        if bool::from(q.is_identity()) {
            return None;
        }
        // One point: a variable-time inversion of its Z (`to_affine` is constant-time).
        let [q] =
            <ProjectivePoint as BatchNormalize<[ProjectivePoint; 1]>>::batch_normalize_vartime(&[
                q,
            ]);
        uncompressed(&VerifyingKey::from_affine(q).ok()?)
    }
}
