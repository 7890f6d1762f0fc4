//! Locations, keyed by (colony, name).

use colonies_core::model::Location;
use tokio_postgres::{Error, GenericClient, Row};

fn from_row(row: &Row) -> Location {
    Location {
        locationid: row.get(0),
        name: row.get(1),
        colonyname: row.get(2),
        description: row.get(3),
        long: row.get(4),
        lat: row.get(5),
    }
}

const COLUMNS: &str = "location_id, name, colony_name, description, long, lat";

/// Adds a location (with a random ID when none is given); `None` if the name is taken.
pub async fn insert(
    client: &impl GenericClient,
    location: &Location,
) -> Result<Option<Location>, Error> {
    let sql = format!(
        "INSERT INTO locations (colony_name, name, location_id, description, long, lat)
         VALUES ($1, $2, COALESCE(NULLIF($3, ''),
                 encode(sha256(convert_to(gen_random_uuid()::text, 'UTF8')), 'hex')), $4, $5, $6)
         ON CONFLICT (colony_name, name) DO NOTHING RETURNING {COLUMNS}"
    );
    let row = client
        .query_opt(
            &sql,
            &[
                &location.colonyname,
                &location.name,
                &location.locationid,
                &location.description,
                &location.long,
                &location.lat,
            ],
        )
        .await?;
    Ok(row.as_ref().map(from_row))
}

/// Every location of a colony, by name.
pub async fn list(client: &impl GenericClient, colony: &str) -> Result<Vec<Location>, Error> {
    let sql = format!("SELECT {COLUMNS} FROM locations WHERE colony_name = $1 ORDER BY name");
    Ok(client.query(&sql, &[&colony]).await?.iter().map(from_row).collect())
}

/// One location by name.
pub async fn by_name(
    client: &impl GenericClient,
    colony: &str,
    name: &str,
) -> Result<Option<Location>, Error> {
    let sql = format!("SELECT {COLUMNS} FROM locations WHERE colony_name = $1 AND name = $2");
    Ok(client.query_opt(&sql, &[&colony, &name]).await?.as_ref().map(from_row))
}

/// Deletes a location; false if there was none.
pub async fn remove(client: &impl GenericClient, colony: &str, name: &str) -> Result<bool, Error> {
    let n = client
        .execute("DELETE FROM locations WHERE colony_name = $1 AND name = $2", &[&colony, &name])
        .await?;
    Ok(n == 1)
}
