//! Who may do what: the authorisation predicates of protocol §3, as functions of the caller's
//! recovered ID and the rows a server read.
//!
//! IDs are compared as case-sensitive strings. The colony owner is **not** a member, and the
//! server owner is not a member of anything. Two deliberate differences from Go, both only
//! stricter or more precise: an UNREGISTERED executor is not a member at all (Go lets it pass
//! unapproved checks), and an executor key registered in several colonies is a member of each
//! (Go looks at whichever row comes first).

use crate::{
    message::Role,
    model::{Colony, Executor, ExecutorState, Process, User},
};
use core::fmt;

/// Whether a membership check needs an approved executor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Approval {
    /// Pending and rejected executors pass too (spec: `member`).
    Any,
    /// Executors must be APPROVED; users always pass (spec: `member✓`).
    Required,
}

/// Why a caller may not do what it asked. Always HTTP 403.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthError {
    /// Only the server owner may do this.
    NotServerOwner,
    /// Only the colony's owner may do this (or the colony does not exist).
    NotColonyOwner,
    /// The caller is not a member of the colony, or not an approved one.
    NotMember,
    /// Only an executor of the colony may do this.
    NotExecutor,
    /// Only a user of the colony may do this.
    NotUser,
    /// The process is not assigned to the caller.
    NotAssigned,
    /// The caller is not the executor the message names.
    NotSelf,
    /// The caller neither initiated the process nor is its assigned executor.
    NotParticipant,
}

impl AuthError {
    /// The HTTP status Colonies answers with: 403.
    pub const fn status(&self) -> u16 {
        403
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotServerOwner => "Access denied, not server owner",
            Self::NotColonyOwner => "Access denied, not colony owner",
            Self::NotMember => "Access denied, not a member of the colony",
            Self::NotExecutor => "Access denied, not an executor of the colony",
            Self::NotUser => "Access denied, not a user of the colony",
            Self::NotAssigned => "Access denied, process is not assigned to caller",
            Self::NotSelf => "Access denied, not the executor named in the request",
            Self::NotParticipant => {
                "Access denied, not the process initiator or its assigned executor"
            }
        })
    }
}

impl core::error::Error for AuthError {}

/// Whether the caller is the server owner (an empty server ID matches nobody).
pub fn is_server_owner(caller: &str, server_id: &str) -> bool {
    !server_id.is_empty() && caller == server_id
}

/// Whether the caller owns the colony: its ID is the colony's `colonyid`.
pub fn is_colony_owner(caller: &str, colony: &Colony) -> bool {
    !colony.colonyid.is_empty() && caller == colony.colonyid
}

/// Whether `executor` is the caller's row in `colony_name` and counts for `approval`.
pub fn is_executor_member(
    caller: &str,
    colony_name: &str,
    executor: &Executor,
    approval: Approval,
) -> bool {
    let state_ok = match approval {
        Approval::Any => executor.state != ExecutorState::Unregistered,
        Approval::Required => executor.state == ExecutorState::Approved,
    };
    !caller.is_empty()
        && executor.executorid == caller
        && executor.colonyname == colony_name
        && state_ok
}

/// Whether `user` is the caller's row in `colony_name` (users need no approval).
pub fn is_user_member(caller: &str, colony_name: &str, user: &User) -> bool {
    !caller.is_empty() && user.userid == caller && user.colonyname == colony_name
}

/// Whether the caller is a member of `colony_name`, given the executor and user rows read.
pub fn is_member(
    caller: &str,
    colony_name: &str,
    executors: &[Executor],
    users: &[User],
    approval: Approval,
) -> bool {
    executors.iter().any(|e| is_executor_member(caller, colony_name, e, approval))
        || users.iter().any(|u| is_user_member(caller, colony_name, u))
}

/// Whether the process is assigned to the caller.
pub fn is_assigned(caller: &str, process: &Process) -> bool {
    process.isassigned && !caller.is_empty() && process.assignedexecutorid == caller
}

/// Whether the caller submitted the process.
pub fn is_initiator(caller: &str, process: &Process) -> bool {
    !caller.is_empty() && process.initiatorid == caller
}

/// Whether the caller is the executor named `executor_name` in `colony_name`.
pub fn is_named_executor(
    caller: &str,
    colony_name: &str,
    executor_name: &str,
    executors: &[Executor],
    approval: Approval,
) -> bool {
    executors.iter().any(|e| {
        e.executorname == executor_name && is_executor_member(caller, colony_name, e, approval)
    })
}

/// The rows a server read to authorise one request.
///
/// Only what the message's [`Role`] needs must be filled: e.g. `process` for
/// [`Role::AssignedExecutor`], `executor_name` for [`Role::SelfExecutor`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Facts<'a> {
    /// The server owner's ID.
    pub server_id: &'a str,
    /// The colony the request is about (for a process: the process's colony); `None` if unknown.
    pub colony: Option<&'a Colony>,
    /// Executor rows whose `executorid` is the caller's ID.
    pub executors: &'a [Executor],
    /// User rows whose `userid` is the caller's ID.
    pub users: &'a [User],
    /// The process the request is about.
    pub process: Option<&'a Process>,
    /// The executor the request names, or that owns the function being removed.
    pub executor_name: Option<&'a str>,
}

impl Facts<'_> {
    fn colony_name(&self) -> Option<&str> {
        self.colony.map(|colony| colony.name.as_str())
    }

    fn member(&self, caller: &str, approval: Approval) -> Result<&str, AuthError> {
        let colony = self.colony_name().ok_or(AuthError::NotMember)?;
        if is_member(caller, colony, self.executors, self.users, approval) {
            Ok(colony)
        } else {
            Err(AuthError::NotMember)
        }
    }

    fn process(&self) -> Result<&Process, AuthError> {
        self.process.ok_or(AuthError::NotAssigned)
    }
}

/// Checks that `caller` may act in `role`, given the rows read.
pub fn authorize(role: Role, caller: &str, facts: &Facts<'_>) -> Result<(), AuthError> {
    match role {
        Role::Anyone => Ok(()),
        Role::ServerOwner => {
            is_server_owner(caller, facts.server_id).then_some(()).ok_or(AuthError::NotServerOwner)
        }
        Role::ColonyOwner => match facts.colony {
            Some(colony) if is_colony_owner(caller, colony) => Ok(()),
            _ => Err(AuthError::NotColonyOwner),
        },
        Role::Member => facts.member(caller, Approval::Any).map(drop),
        Role::ApprovedMember => facts.member(caller, Approval::Required).map(drop),
        // Go tries membership, then ownership: the refusal is the owner check's.
        Role::ApprovedMemberOrOwner => match facts.colony {
            Some(colony) if is_colony_owner(caller, colony) => Ok(()),
            _ => facts
                .member(caller, Approval::Required)
                .map(drop)
                .map_err(|_| AuthError::NotColonyOwner),
        },
        Role::ApprovedExecutor => {
            let colony = facts.colony_name().ok_or(AuthError::NotMember)?;
            if facts
                .executors
                .iter()
                .any(|e| is_executor_member(caller, colony, e, Approval::Required))
            {
                Ok(())
            } else {
                Err(AuthError::NotMember)
            }
        }
        Role::AssignedExecutor => {
            facts.member(caller, Approval::Required)?;
            is_assigned(caller, facts.process()?).then_some(()).ok_or(AuthError::NotAssigned)
        }
        Role::SelfExecutor | Role::ApprovedSelfExecutor => {
            let approval =
                if role == Role::SelfExecutor { Approval::Any } else { Approval::Required };
            let colony = facts.member(caller, approval)?;
            let name = facts.executor_name.ok_or(AuthError::NotSelf)?;
            is_named_executor(caller, colony, name, facts.executors, approval)
                .then_some(())
                .ok_or(AuthError::NotSelf)
        }
        Role::MemberUser => {
            let colony = facts.colony_name().ok_or(AuthError::NotUser)?;
            facts
                .users
                .iter()
                .any(|u| is_user_member(caller, colony, u))
                .then_some(())
                .ok_or(AuthError::NotUser)
        }
        Role::MemberExecutor => {
            let colony = facts.colony_name().ok_or(AuthError::NotExecutor)?;
            facts
                .executors
                .iter()
                .any(|e| is_executor_member(caller, colony, e, Approval::Any))
                .then_some(())
                .ok_or(AuthError::NotExecutor)
        }
        Role::ProcessParticipant => {
            facts.member(caller, Approval::Required)?;
            let process = facts.process.ok_or(AuthError::NotParticipant)?;
            (is_initiator(caller, process) || is_assigned(caller, process))
                .then_some(())
                .ok_or(AuthError::NotParticipant)
        }
    }
}
