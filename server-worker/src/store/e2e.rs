//! Wrapped data keys and members' public keys (migration 0011, protocol §16.4).

use colonies_core::e2e::messages::{MemberKeys, WrappedKey};
use tokio_postgres::{Client, Error, GenericClient};

/// Records the public key recovered from `member`'s signature (130 hex).
pub async fn record_public_key(
    client: &impl GenericClient,
    colony: &str,
    member: &str,
    public_key: &str,
) -> Result<(), Error> {
    client
        .execute(
            "INSERT INTO member_public_keys (colony_name, member_id, public_key)
             VALUES ($1, $2, $3)
             ON CONFLICT (colony_name, member_id) DO UPDATE SET public_key = EXCLUDED.public_key
             WHERE member_public_keys.public_key <> EXCLUDED.public_key",
            &[&colony, &member, &public_key],
        )
        .await?;
    Ok(())
}

/// The colony's newest key version (0: none) and `member`'s wrapped keys, oldest first.
pub async fn keys_of(
    client: &impl GenericClient,
    colony: &str,
    member: &str,
) -> Result<(u32, Vec<WrappedKey>), Error> {
    let rows = client
        .query(
            "SELECT (SELECT coalesce(max(version), 0) FROM colony_keys WHERE colony_name = $1),
                    k.version, k.wrapped
               FROM (SELECT 1) AS one
               LEFT JOIN colony_keys k ON k.colony_name = $1 AND k.member_id = $2
              ORDER BY k.version",
            &[&colony, &member],
        )
        .await?;
    let current = rows.first().map_or(0, |row| row.get::<_, i32>(0));
    let keys = rows
        .iter()
        .filter_map(|row| {
            let version: Option<i32> = row.get(1);
            Some(WrappedKey { version: u32::try_from(version?).unwrap_or(0), wrapped: row.get(2) })
        })
        .collect();
    Ok((u32::try_from(current).unwrap_or(0), keys))
}

/// The colony's owner, users and approved executors with their public keys (if recorded) and
/// the versions wrapped for each; and the newest version.
pub async fn members(
    client: &impl GenericClient,
    colony: &str,
) -> Result<(u32, Vec<MemberKeys>), Error> {
    let rows = client
        .query(
            "WITH m AS (
                SELECT c.colony_id AS id, 'owner' AS kind, '' AS name, 0 AS ord
                  FROM colonies c WHERE c.name = $1
                UNION ALL
                SELECT u.user_id, 'user', u.name, 1 FROM users u WHERE u.colony_name = $1
                UNION ALL
                SELECT e.executor_id, 'executor', e.name, 2 FROM executors e
                 WHERE e.colony_name = $1 AND e.state = 1)
             SELECT m.id, m.kind, m.name, coalesce(p.public_key, ''),
                    coalesce((SELECT array_agg(k.version ORDER BY k.version) FROM colony_keys k
                               WHERE k.colony_name = $1 AND k.member_id = m.id), '{}'),
                    (SELECT coalesce(max(version), 0) FROM colony_keys WHERE colony_name = $1)
               FROM m LEFT JOIN member_public_keys p ON p.colony_name = $1 AND p.member_id = m.id
              ORDER BY m.ord, m.name",
            &[&colony],
        )
        .await?;
    let current = rows.first().map_or(0, |row| row.get::<_, i32>(5));
    let members = rows
        .iter()
        .map(|row| MemberKeys {
            memberid: row.get(0),
            kind: row.get(1),
            name: row.get(2),
            publickey: row.get(3),
            versions: row
                .get::<_, Vec<i32>>(4)
                .into_iter()
                .filter_map(|v| u32::try_from(v).ok())
                .collect(),
        })
        .collect();
    Ok((u32::try_from(current).unwrap_or(0), members))
}

/// Why [`add`] stored nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddRefusal {
    /// The version is neither the current one nor the next.
    Version {
        /// The colony's newest version.
        current: u32,
    },
    /// A member ID that is not the owner, a user or an approved executor of the colony.
    NotMember(String),
}

/// Stores wrapped keys of `version` for members, in one transaction that first checks the
/// version (the current one, or the next) and that every member belongs to the colony. A key
/// already stored for a member and version is replaced. Returns the newest version after.
pub async fn add(
    client: &mut Client,
    colony: &str,
    version: u32,
    keys: &[(String, String)],
) -> Result<Result<u32, AddRefusal>, Error> {
    let tx = client.transaction().await?;
    // Serialises the colony's key changes (two rotations cannot both take version n + 1).
    tx.execute("SELECT 1 FROM colonies WHERE name = $1 FOR UPDATE", &[&colony]).await?;
    let current: i32 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM colony_keys WHERE colony_name = $1",
            &[&colony],
        )
        .await?
        .get(0);
    let current = u32::try_from(current).unwrap_or(0);
    if version != current.max(1) && version != current + 1 {
        return Ok(Err(AddRefusal::Version { current }));
    }
    let ids: Vec<&str> = keys.iter().map(|(id, _)| id.as_str()).collect();
    let strangers: Vec<String> = tx
        .query(
            "SELECT id FROM unnest($2::text[]) AS id
              WHERE NOT EXISTS (SELECT 1 FROM colonies c WHERE c.name = $1 AND c.colony_id = id)
                AND NOT EXISTS (SELECT 1 FROM users u WHERE u.colony_name = $1 AND u.user_id = id)
                AND NOT EXISTS (SELECT 1 FROM executors e
                                 WHERE e.colony_name = $1 AND e.executor_id = id AND e.state = 1)",
            &[&colony, &ids],
        )
        .await?
        .iter()
        .map(|row| row.get(0))
        .collect();
    if let Some(stranger) = strangers.into_iter().next() {
        return Ok(Err(AddRefusal::NotMember(stranger)));
    }
    let wrapped: Vec<&str> = keys.iter().map(|(_, w)| w.as_str()).collect();
    let version_i32 = i32::try_from(version).unwrap_or(i32::MAX);
    tx.execute(
        "INSERT INTO colony_keys (colony_name, version, member_id, wrapped)
         SELECT $1, $2, id, w FROM unnest($3::text[], $4::text[]) AS k(id, w)
         ON CONFLICT (colony_name, version, member_id) DO UPDATE SET wrapped = EXCLUDED.wrapped",
        &[&colony, &version_i32, &ids, &wrapped],
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(current.max(version)))
}
