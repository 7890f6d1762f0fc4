//! The rows authorisation needs, read in one round trip (every signed request pays for it).

use colonies_core::{
    Failure,
    message::Role,
    model::{Colony, Executor, ExecutorState, Process, User},
    rules::authorization::{AuthError, Facts, authorize},
};
use tokio_postgres::{Error, GenericClient};

/// What the database knows about a caller with respect to one colony.
#[derive(Debug, Clone, Default)]
pub struct CallerRows {
    /// The server owner's ID ("" if none is stored).
    pub server_id: String,
    /// The colony, if it exists.
    pub colony: Option<Colony>,
    /// The caller's executor rows in the colony (only the fields authorisation reads).
    pub executors: Vec<Executor>,
    /// The caller's user rows in the colony (likewise).
    pub users: Vec<User>,
    /// The name of the colony asked about, whether it exists or not.
    pub colony_name: String,
}

/// Go's refusal when a request names a colony that does not exist.
pub fn colony_missing(name: &str) -> String {
    format!("Colony with name <{name}> does not exists")
}

impl CallerRows {
    /// Checks `role` for `caller`; a refusal is a 403 reply.
    pub fn require(
        &self,
        role: Role,
        caller: &str,
        process: Option<&Process>,
        executor_name: Option<&str>,
    ) -> Result<(), Failure> {
        self.check(role, caller, process, executor_name).map_err(|e| self.refusal(e))
    }

    /// Checks `role` for `caller`: why not, for handlers that word some refusals their way.
    pub fn check(
        &self,
        role: Role,
        caller: &str,
        process: Option<&Process>,
        executor_name: Option<&str>,
    ) -> Result<(), AuthError> {
        let facts = Facts {
            server_id: &self.server_id,
            colony: self.colony.as_ref(),
            executors: &self.executors,
            users: &self.users,
            process,
            executor_name,
        };
        authorize(role, caller, &facts)
    }

    /// A refusal as a 403 reply in the words of Go's validator, which names the colony (or
    /// says it does not exist).
    pub fn refusal(&self, e: AuthError) -> Failure {
        let message = match (e, &self.colony) {
            (AuthError::NotServerOwner, _) => e.to_string(),
            (_, None) if !self.colony_name.is_empty() => colony_missing(&self.colony_name),
            (AuthError::NotMember, Some(colony)) => {
                format!("Access denied, not a member of Colony with name <{}>", colony.name)
            }
            _ => e.to_string(),
        };
        Failure::new(e.status(), message)
    }
}

/// Reads the server ID, the colony named `colony` and the caller's rows in it.
pub async fn caller_rows(
    client: &impl GenericClient,
    caller: &str,
    colony: &str,
) -> Result<CallerRows, Error> {
    let row = client
        .query_one(
            "SELECT (SELECT server_id FROM server),
                    c.colony_id,
                    (SELECT array_agg(e.name) FROM executors e
                      WHERE e.executor_id = $1 AND e.colony_name = $2),
                    (SELECT array_agg(e.state) FROM executors e
                      WHERE e.executor_id = $1 AND e.colony_name = $2),
                    (SELECT array_agg(u.name) FROM users u
                      WHERE u.user_id = $1 AND u.colony_name = $2)
             FROM (SELECT 1) AS one LEFT JOIN colonies c ON c.name = $2",
            &[&caller, &colony],
        )
        .await?;
    let colony_id: Option<String> = row.get(1);
    let names: Vec<String> = row.get::<_, Option<_>>(2).unwrap_or_default();
    let states: Vec<i16> = row.get::<_, Option<_>>(3).unwrap_or_default();
    let executors = names
        .into_iter()
        .zip(states)
        .map(|(executorname, state)| Executor {
            executorid: caller.into(),
            executorname,
            colonyname: colony.into(),
            state: executor_state(state),
            ..Executor::default()
        })
        .collect();
    let users = row
        .get::<_, Option<Vec<String>>>(4)
        .unwrap_or_default()
        .into_iter()
        .map(|name| User {
            userid: caller.into(),
            name,
            colonyname: colony.into(),
            ..User::default()
        })
        .collect();
    Ok(CallerRows {
        server_id: row.get::<_, Option<String>>(0).unwrap_or_default(),
        colony: colony_id.map(|colonyid| Colony { colonyid, name: colony.into() }),
        executors,
        users,
        colony_name: colony.into(),
    })
}

/// The executor state of a stored number (the column's CHECK keeps it in 0..=3).
pub fn executor_state(state: i16) -> ExecutorState {
    match state {
        1 => ExecutorState::Approved,
        2 => ExecutorState::Rejected,
        3 => ExecutorState::Unregistered,
        _ => ExecutorState::Pending,
    }
}
