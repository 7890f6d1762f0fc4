//! Submits: the row a new process is written as, and the one statement that writes many
//! (and, when it can, assigns each to the executor waiting for it).

use crate::{
    db::Statements,
    store::replay::{FOLDED_COLUMNS, Folded, NonceItem, folded_check, folded_ctes},
};
use colonies_core::graph;
use colonies_core::model::Process;
use colonies_core::rules::replay::NonceCheck;
use tokio_postgres::{Client, Error, types::Type};

/// A submitted process as its row is written, owned so that a host may carry it to a
/// statement it shares with other submits (see [`insert`]).
#[derive(Debug, Clone)]
pub struct Submission {
    /// The new process's ID.
    pub process_id: String,
    /// `conditions.colonyname`.
    pub colony: String,
    /// `conditions.executortype`.
    pub executor_type: String,
    /// `conditions.executornames` (empty: any executor).
    pub executor_names: Vec<String>,
    /// `conditions.locationname`.
    pub location: String,
    /// Who submits it; it must be an approved member of the colony.
    pub caller: String,
    /// `priority`.
    pub priority: i32,
    /// The priority time's offset from the submission time (nanoseconds).
    pub priority_offset: i64,
    /// The wait deadline's offset from the submission time, when it has one.
    pub wait_after: Option<i64>,
    /// `maxwaittime`, `maxexectime`, `maxretries`.
    pub max_wait: i32,
    /// `maxexectime`.
    pub max_exec: i32,
    /// `maxretries`.
    pub max_retries: i32,
    /// `conditions.cpu` in millicores.
    pub cpu: i64,
    /// `conditions.mem` in bytes.
    pub memory: i64,
    /// `conditions.storage` in bytes.
    pub storage: i64,
    /// `funcname`.
    pub funcname: String,
    /// `label`.
    pub label: String,
    /// The normalised spec as JSON.
    pub spec_json: String,
    /// The ENV attributes: (attribute ID, key, value).
    pub env: Vec<(String, String, String)>,
    /// An executor waiting for work that the process is assigned to right away when it
    /// still may take it (see [`insert`]).
    pub offer: Option<String>,
    /// The request's replay binding, recorded by the insert itself (`None`: unbound).
    pub nonce: Option<NonceItem>,
}

impl Submission {
    /// The row of `process` (built and normalised by the handler, which checked every number
    /// against its range), submitted by `caller` and offered to `offer`.
    pub fn new(
        process: &Process,
        cpu: i64,
        memory: i64,
        storage: i64,
        caller: &str,
        offer: Option<&str>,
    ) -> Self {
        let spec = &process.spec;
        let c = &spec.conditions;
        let int = |v: i64| i32::try_from(v).unwrap_or(if v < 0 { i32::MIN } else { i32::MAX });
        Self {
            process_id: process.processid.clone(),
            colony: c.colonyname.clone(),
            executor_type: c.executortype.clone(),
            executor_names: c.executornames.clone(),
            location: c.locationname.clone(),
            caller: caller.into(),
            priority: int(spec.priority),
            priority_offset: colonies_core::rules::priority::priority_time(0, spec.priority),
            wait_after: graph::wait_deadline_after(spec.maxwaittime),
            max_wait: int(spec.maxwaittime),
            max_exec: int(spec.maxexectime),
            max_retries: int(spec.maxretries),
            cpu,
            memory,
            storage,
            funcname: spec.funcname.clone(),
            label: spec.label.clone(),
            spec_json: serde_json::to_string(spec).unwrap_or_default(),
            env: process
                .attributes
                .iter()
                .map(|a| (a.attributeid.clone(), a.key.clone(), a.value.clone()))
                .collect(),
            offer: offer.map(str::to_owned),
            nonce: None,
        }
    }
}

/// Who submitted a process and when, as [`insert`] decided them.
#[derive(Debug, Clone)]
pub struct Submitted {
    /// The initiator's name: the caller's approved executor in the colony, else its user.
    pub initiator_name: String,
    /// The database clock at the insert (Unix nanoseconds): the submission time, and the
    /// start time when the process was handed to an executor.
    pub now_ns: i64,
    /// Whether the process went straight to the executor it was offered to (RUNNING).
    pub handed: bool,
}

/// What [`insert`] says of one submission.
#[derive(Debug, Clone)]
pub struct Inserted {
    /// The submission as written, or `None` when nothing was written for it (its caller is
    /// no member of the colony, or its nonce was refused).
    pub submitted: Option<Submitted>,
    /// What the nonce check saw (meaningful for a bound submission only).
    pub nonce: NonceCheck,
}

/// Inserts submitted processes and their ENV attributes, all in one statement: each one
/// whose caller is a member of its colony (an approved executor, else a user, whose name
/// becomes the initiator's); `None` in its place, with nothing written for it, when not.
/// The times come from the database clock: the submission time is `now()`, the priority
/// time and the wait deadline are the process's offsets from it (see
/// [`graph::stamp`]), so the caller restamps its copy with [`Submitted::now_ns`].
///
/// `offer`: an executor (its ID) waiting for work that the process is assigned to right
/// away, as the assign statement would: when it is still an approved executor of the colony
/// of the process's type, names and location, and the colony's assignments are not paused.
/// Its resources were checked by whoever chose it. Otherwise the process waits.
///
/// One statement is one transaction: if it fails, nothing of any of them was written.
pub async fn insert(
    client: &Client,
    statements: &impl Statements,
    submissions: &[Submission],
) -> Result<Vec<Inserted>, Error> {
    macro_rules! column {
        ($field:ident) => {
            submissions.iter().map(|s| &s.$field).collect::<Vec<_>>()
        };
    }
    let names: Vec<String> = submissions
        .iter()
        .map(|s| serde_json::to_string(&s.executor_names).unwrap_or_else(|_| "[]".into()))
        .collect();
    let offers: Vec<Option<&str>> = submissions.iter().map(|s| s.offer.as_deref()).collect();
    let (mut env_process, mut env_ids, mut env_keys, mut env_values) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for s in submissions {
        for (id, key, value) in &s.env {
            env_process.push(s.process_id.as_str());
            env_ids.push(id.as_str());
            env_keys.push(key.as_str());
            env_values.push(value.as_str());
        }
    }
    // `b.n` numbers the submissions; the reply has one row per submission in that order.
    let folded = Folded::of(submissions.iter().map(|s| s.nonce.as_ref()));
    // One text per kind of batch, made once: with nonces to record, or none.
    fn sql(bound: bool) -> String {
        format!(
            "WITH {nonces},
      b AS (
        SELECT u.*, ARRAY(SELECT jsonb_array_elements_text(u.names::jsonb)) AS targets
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                    $7::int4[], $8::int8[], $9::int8[], $10::int4[], $11::int4[], $12::int4[],
                    $13::int8[], $14::int8[], $15::int8[], $16::text[], $17::text[], $18::text[],
                    $19::text[])
             WITH ORDINALITY AS u(id, colony, executor_type, names, location, caller,
                                  priority, priority_offset, wait_after, max_wait, max_exec,
                                  max_retries, cpu, memory, storage, funcname, label, spec,
                                  offer, n)),
      clock AS (SELECT (EXTRACT(EPOCH FROM now()) * 1000000000)::bigint AS ns),
      who AS (
        SELECT b.*,
               COALESCE(
                 (SELECT e.name FROM executors e
                  WHERE e.executor_id = b.caller AND e.colony_name = b.colony AND e.state = 1
                  ORDER BY e.name LIMIT 1),
                 (SELECT u.name FROM users u
                  WHERE u.user_id = b.caller AND u.colony_name = b.colony
                  ORDER BY u.name LIMIT 1)) AS initiator,
               nk.ok AS nonce_ok,
               EXISTS (
                 SELECT 1 FROM executors e JOIN colonies c ON c.name = e.colony_name
                 WHERE b.offer IS NOT NULL AND e.executor_id = b.offer
                   AND e.colony_name = b.colony AND e.state = 1
                   AND e.executor_type = b.executor_type AND NOT c.assignments_paused
                   AND (cardinality(b.targets) = 0 OR b.targets = '{{*}}'
                        OR e.name = ANY(b.targets))
                   AND (b.location = '' OR lower(b.location) = lower(e.location_name))
                 OFFSET 0) AS handed
        FROM b JOIN nonce_ok nk ON nk.ord = b.n),
      p AS (
        INSERT INTO processes (process_id, colony_name, executor_type, target_executor_names,
            location_name, state, is_assigned, assigned_executor_id, start_time, exec_deadline,
            initiator_id, initiator_name, priority, prioritytime,
            submission_time, wait_deadline, max_wait_time, max_exec_time, max_retries,
            cpu, memory, storage, funcname, label, wait_for_parents, spec)
        SELECT w.id, w.colony, w.executor_type, w.targets, w.location,
            CASE WHEN w.handed THEN 1 ELSE 0 END, w.handed,
            CASE WHEN w.handed THEN w.offer ELSE '' END,
            CASE WHEN w.handed THEN now() END,
            CASE WHEN w.handed AND w.max_exec > 0
                 THEN now() + w.max_exec * INTERVAL '1 second' END,
            w.caller, w.initiator, w.priority, clock.ns + w.priority_offset,
            TIMESTAMPTZ 'epoch' + (clock.ns / 1000) * INTERVAL '1 microsecond',
            TIMESTAMPTZ 'epoch' + ((clock.ns + w.wait_after) / 1000) * INTERVAL '1 microsecond',
            w.max_wait, w.max_exec, w.max_retries, w.cpu, w.memory, w.storage, w.funcname,
            w.label, FALSE, w.spec::jsonb
        FROM who w, clock WHERE w.initiator IS NOT NULL AND w.nonce_ok
        RETURNING process_id, colony_name, is_assigned, assigned_executor_id),
      a AS (
        INSERT INTO attributes (attribute_id, target_id, colony_name, attribute_type, key, value)
        SELECT a.id, p.process_id, p.colony_name, 3, a.key, a.value
        FROM unnest($20::text[], $21::text[], $22::text[], $23::text[]) AS a(process, id, key, value)
        JOIN p ON p.process_id = a.process),
      heard AS (
        UPDATE executors e SET last_heard_from = now()
        WHERE e.executor_id = ANY (ARRAY(SELECT assigned_executor_id FROM p WHERE is_assigned))
          AND (e.executor_id, e.colony_name)
              IN (SELECT assigned_executor_id, colony_name FROM p WHERE is_assigned)
          AND e.state = 1
          AND (e.last_heard_from IS NULL OR e.last_heard_from < now() - INTERVAL '1 second'))
      SELECT w.initiator, clock.ns, p.is_assigned, {checks}
      FROM who w CROSS JOIN clock LEFT JOIN p ON p.process_id = w.id
      JOIN nonce_ok nk ON nk.ord = w.n
      ORDER BY w.n",
            nonces = folded_ctes(24, bound),
            checks = FOLDED_COLUMNS,
        )
    }
    static BOUND: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| sql(true));
    static PLAIN: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| sql(false));
    let sql: &str = if folded.bound() { &BOUND } else { &PLAIN };
    let (text, ints, bigints) = (Type::TEXT_ARRAY, Type::INT4_ARRAY, Type::INT8_ARRAY);
    let np = folded.params();
    let rows = crate::store::query_typed(
        client,
        statements,
        sql,
        &[
            (&column!(process_id), text.clone()),
            (&column!(colony), text.clone()),
            (&column!(executor_type), text.clone()),
            (&names, text.clone()),
            (&column!(location), text.clone()),
            (&column!(caller), text.clone()),
            (&column!(priority), ints.clone()),
            (&column!(priority_offset), bigints.clone()),
            (&column!(wait_after), bigints.clone()),
            (&column!(max_wait), ints.clone()),
            (&column!(max_exec), ints.clone()),
            (&column!(max_retries), ints),
            (&column!(cpu), bigints.clone()),
            (&column!(memory), bigints.clone()),
            (&column!(storage), bigints),
            (&column!(funcname), text.clone()),
            (&column!(label), text.clone()),
            (&column!(spec_json), text.clone()),
            (&offers, text.clone()),
            (&env_process, text.clone()),
            (&env_ids, text.clone()),
            (&env_keys, text.clone()),
            (&env_values, text),
            np[0].clone(),
            np[1].clone(),
            np[2].clone(),
            np[3].clone(),
            np[4].clone(),
        ],
    )
    .await?;
    Ok(rows
        .iter()
        .map(|row| {
            let handed: Option<bool> = row.get(2);
            Inserted {
                submitted: handed.map(|handed| Submitted {
                    initiator_name: row.get(0),
                    now_ns: row.get(1),
                    handed,
                }),
                nonce: folded_check(row, 3),
            }
        })
        .collect())
}

/// Puts a process handed to an executor that was gone before it could take it back in
/// the line (WAITING, unassigned), unless something else happened to it meanwhile.
pub async fn unhand(
    client: &Client,
    statements: &impl Statements,
    process_id: &str,
    executor_id: &str,
) -> Result<bool, Error> {
    const SQL: &str = "UPDATE processes
        SET state = 0, is_assigned = FALSE, assigned_executor_id = '', start_time = NULL,
            exec_deadline = NULL
        WHERE process_id = $1 AND state = 1 AND assigned_executor_id = $2";
    let statement = statements.prepare(client, SQL).await?;
    Ok(client.execute(&statement, &[&process_id, &executor_id]).await? == 1)
}
