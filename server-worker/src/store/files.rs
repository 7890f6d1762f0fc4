//! ColonyFS file metadata (protocol §4.12): one row per revision of `(colony, label, name)`.

use colonies_core::{
    model::{File, FileData, Label},
    time::Timestamp,
};
use tokio_postgres::{Error, GenericClient, Row};

/// The columns [`from_row`] reads, in its order (times as Unix nanoseconds, as elsewhere).
const COLUMNS: &str = "file_id, colony_name, label, name, size, seqnr, checksum, checksum_alg,
    reference::text, (EXTRACT(EPOCH FROM added) * 1000000000)::bigint";

fn from_row(row: &Row) -> File {
    File {
        fileid: row.get(0),
        colonyname: row.get(1),
        label: row.get(2),
        name: row.get(3),
        size: row.get(4),
        sequencenr: row.get(5),
        checksum: row.get(6),
        checksumalg: row.get(7),
        // Written by `insert` from the same type, so it reads back.
        reference: serde_json::from_str(row.get(8)).unwrap_or_default(),
        added: Timestamp::from_unix_nanos(row.get(9)),
    }
}

/// Stores `file` as a new revision under `fileid`; the database assigns `sequencenr` and `added`.
pub async fn insert(client: &impl GenericClient, fileid: &str, file: &File) -> Result<File, Error> {
    let reference = serde_json::to_string(&file.reference).unwrap_or_default();
    let sql = format!(
        "INSERT INTO files (file_id, colony_name, label, name, size, checksum, checksum_alg,
             reference)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb) RETURNING {COLUMNS}"
    );
    let row = client
        .query_one(
            &sql,
            &[
                &fileid,
                &file.colonyname,
                &file.label,
                &file.name,
                &file.size,
                &file.checksum,
                &file.checksumalg,
                &reference,
            ],
        )
        .await?;
    Ok(from_row(&row))
}

/// The revision `fileid` of `colony`, if there is one.
pub async fn by_id(
    client: &impl GenericClient,
    colony: &str,
    fileid: &str,
) -> Result<Option<File>, Error> {
    let sql = format!("SELECT {COLUMNS} FROM files WHERE colony_name = $1 AND file_id = $2");
    Ok(client.query_opt(&sql, &[&colony, &fileid]).await?.as_ref().map(from_row))
}

/// The revisions of `label`/`name`, newest first; only the newest with `latest`.
pub async fn by_name(
    client: &impl GenericClient,
    colony: &str,
    label: &str,
    name: &str,
    latest: bool,
) -> Result<Vec<File>, Error> {
    let limit = if latest { "LIMIT 1" } else { "" };
    let sql = format!(
        "SELECT {COLUMNS} FROM files WHERE colony_name = $1 AND label = $2 AND name = $3
         ORDER BY seqnr DESC {limit}"
    );
    Ok(client.query(&sql, &[&colony, &label, &name]).await?.iter().map(from_row).collect())
}

/// The files under exactly `label`, each as its newest revision, by name.
pub async fn data_by_label(
    client: &impl GenericClient,
    colony: &str,
    label: &str,
) -> Result<Vec<FileData>, Error> {
    let rows = client
        .query(
            "SELECT DISTINCT ON (name) name, checksum, size, reference->'s3object'->>'object'
             FROM files WHERE colony_name = $1 AND label = $2
             ORDER BY name, seqnr DESC",
            &[&colony, &label],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| FileData {
            name: r.get(0),
            checksum: r.get(1),
            size: r.get(2),
            s3filename: r.get::<_, Option<String>>(3).unwrap_or_default(),
        })
        .collect())
}

/// How `labels` selects labels by the name asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelFilter<'a> {
    /// Every label of the colony (`name` is empty).
    All,
    /// Labels that start with this text, as Go's `LIKE name%` (`exact` false).
    Prefix(&'a str),
    /// This label and its sub-labels `name/…`, and nothing at all when no file has exactly
    /// this label (`exact` true; Go's behaviour).
    Exact(&'a str),
}

/// The labels of `colony` selected by `filter`, each with its number of file revisions.
pub async fn labels(
    client: &impl GenericClient,
    colony: &str,
    filter: LabelFilter<'_>,
) -> Result<Vec<Label>, Error> {
    // `starts_with`, not LIKE, so '%' and '_' in a label are plain characters.
    let (condition, arg) = match filter {
        // Always true; written with $2 so every variant binds the same parameters.
        LabelFilter::All => ("$2::text = ''", ""),
        LabelFilter::Prefix(name) => ("starts_with(label, $2)", name),
        LabelFilter::Exact(name) => (
            "(label = $2 OR starts_with(label, $2 || '/'))
             AND EXISTS (SELECT 1 FROM files x WHERE x.colony_name = $1 AND x.label = $2)",
            name,
        ),
    };
    let sql = format!(
        "SELECT label, count(*) FROM files WHERE colony_name = $1 AND {condition}
         GROUP BY label ORDER BY label"
    );
    let rows = client.query(&sql, &[&colony, &arg]).await?;
    Ok(rows.iter().map(|r| Label { name: r.get(0), files: r.get(1) }).collect())
}

/// Deletes revision `fileid`; false if `colony` has no such revision.
pub async fn remove_by_id(
    client: &impl GenericClient,
    colony: &str,
    fileid: &str,
) -> Result<bool, Error> {
    let n = client
        .execute("DELETE FROM files WHERE colony_name = $1 AND file_id = $2", &[&colony, &fileid])
        .await?;
    Ok(n > 0)
}

/// Deletes every revision of `label`/`name`; false if there was none.
pub async fn remove_by_name(
    client: &impl GenericClient,
    colony: &str,
    label: &str,
    name: &str,
) -> Result<bool, Error> {
    let n = client
        .execute(
            "DELETE FROM files WHERE colony_name = $1 AND label = $2 AND name = $3",
            &[&colony, &label, &name],
        )
        .await?;
    Ok(n > 0)
}

/// The newest revision of every file under `label` and its sub-labels (`label/…`), ordered by
/// label and name: what a snapshot freezes.
pub async fn latest_ids_under(
    client: &impl GenericClient,
    colony: &str,
    label: &str,
) -> Result<Vec<String>, Error> {
    // "/data/" and "/data" name the same folder; its sub-labels start with "/data/".
    let prefix = format!("{}/", label.trim_end_matches('/'));
    let rows = client
        .query(
            "SELECT DISTINCT ON (label, name) file_id FROM files
             WHERE colony_name = $1 AND (label = $2 OR starts_with(label, $3))
             ORDER BY label, name, seqnr DESC",
            &[&colony, &label, &prefix],
        )
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}
