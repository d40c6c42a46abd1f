//! Provider API keys at rest: sealed with XChaCha20-Poly1305 (RustCrypto's `chacha20poly1305`)
//! under a key from `SETTINGS_ENCRYPTION_KEYS`, with a random 24-byte nonce and the row the value
//! belongs to as associated data, so a sealed value copied into another tenant's row does not
//! open. Stored as `<key id>:<base64 of nonce ‖ ciphertext>`; the key id lets keys rotate (seal
//! with the first, open with any).

use anyhow::{Context, anyhow};
use base64::{Engine, engine::general_purpose::STANDARD};
use chacha20poly1305::{
    XChaCha20Poly1305, XNonce,
    aead::{Aead, AeadCore, KeyInit, OsRng, Payload},
};

use secrecy::ExposeSecret;

use crate::{config::SealingKey, ids::TenantId};

/// Whose value a sealed key is: its associated data.
#[derive(Clone, Copy, Debug)]
pub enum Owner {
    Platform,
    Tenant(TenantId),
}

impl Owner {
    fn aad(self) -> String {
        match self {
            Owner::Platform => "tenantdesk:settings:platform".into(),
            Owner::Tenant(t) => format!("tenantdesk:settings:tenant:{t}"),
        }
    }
}

pub struct Sealer {
    keys: Vec<(String, XChaCha20Poly1305)>,
}

impl Sealer {
    /// Keys of 32 bytes (as `config::parse_sealing_keys` checks); the first seals.
    pub fn new(keys: &[SealingKey]) -> anyhow::Result<Self> {
        let keys = keys
            .iter()
            .map(|k| {
                let cipher = XChaCha20Poly1305::new_from_slice(k.key.expose_secret())
                    .map_err(|_| anyhow!("the sealing key {:?} is not 32 bytes", k.kid))?;
                Ok((k.kid.clone(), cipher))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        if keys.is_empty() {
            anyhow::bail!("no sealing key");
        }
        Ok(Self { keys })
    }

    pub fn seal(&self, owner: Owner, secret: &str) -> anyhow::Result<String> {
        let (id, cipher) = self.keys.first().context("no sealing key")?;
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let aad = owner.aad();
        let ct = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: secret.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| anyhow!("sealing failed"))?;
        let mut blob = nonce.to_vec();
        blob.extend(ct);
        Ok(format!("{id}:{}", STANDARD.encode(blob)))
    }

    pub fn open(&self, owner: Owner, sealed: &str) -> anyhow::Result<String> {
        let (id, b64) = sealed.split_once(':').context("not a sealed value")?;
        let (_, cipher) =
            self.keys.iter().find(|(k, _)| k == id).with_context(|| {
                format!("the key {id:?} that sealed this value is not configured")
            })?;
        let blob = STANDARD.decode(b64).context("sealed value is not base64")?;
        if blob.len() < 24 {
            anyhow::bail!("sealed value is too short");
        }
        let (nonce, ct) = blob.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().context("sealed value is too short")?;
        let aad = owner.aad();
        let plain = cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: ct,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| anyhow!("sealed value does not open with key {id:?} for this owner"))?;
        String::from_utf8(plain).context("sealed value is not text")
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn keys(spec: &[(&str, u8)]) -> Vec<SealingKey> {
        spec.iter()
            .map(|(id, b)| SealingKey {
                kid: id.to_string(),
                key: vec![*b; 32].into(),
            })
            .collect()
    }

    #[test]
    fn a_sealed_key_opens_only_for_its_owner_and_hides_the_secret() {
        let s = Sealer::new(&keys(&[("k1", 7)])).unwrap();
        let t = TenantId::from(Uuid::new_v4());
        let sealed = s.seal(Owner::Tenant(t), "sk-secret-value").unwrap();
        assert!(sealed.starts_with("k1:"));
        assert!(!sealed.contains("sk-secret"));
        assert_eq!(
            s.open(Owner::Tenant(t), &sealed).unwrap(),
            "sk-secret-value"
        );
        assert!(
            s.open(Owner::Tenant(TenantId::from(Uuid::new_v4())), &sealed)
                .is_err()
        );
        assert!(s.open(Owner::Platform, &sealed).is_err());
        // A fresh nonce every time.
        assert_ne!(sealed, s.seal(Owner::Tenant(t), "sk-secret-value").unwrap());
    }

    #[test]
    fn keys_rotate_by_putting_the_new_one_first() {
        let old = Sealer::new(&keys(&[("old", 1)])).unwrap();
        let sealed = old.seal(Owner::Platform, "k").unwrap();
        let rotated = Sealer::new(&keys(&[("new", 2), ("old", 1)])).unwrap();
        assert_eq!(rotated.open(Owner::Platform, &sealed).unwrap(), "k");
        assert!(
            rotated
                .seal(Owner::Platform, "k")
                .unwrap()
                .starts_with("new:")
        );
        let dropped = Sealer::new(&keys(&[("new", 2)])).unwrap();
        assert!(dropped.open(Owner::Platform, &sealed).is_err());
        // Tampering is detected.
        let mut bad = sealed.clone();
        bad.pop();
        bad.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(old.open(Owner::Platform, &bad).is_err());
    }
}
