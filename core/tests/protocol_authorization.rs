//! The authorisation rules (protocol §3) on the security fixture of the Go test suite (§12):
//! server key S; colony1 (owner C1) with approved executor E1; colony2 (owner C2) with approved
//! executor E2; plus a pending executor E3 and a user U1 in colony1.

use colonies_core::{
    message::Role,
    model::{Colony, Executor, ExecutorState, Process, User},
    rules::authorization::{
        Approval, AuthError, Facts, authorize, is_assigned, is_colony_owner, is_member,
        is_server_owner,
    },
};

const S: &str = "s000000000000000000000000000000000000000000000000000000000000000";
const C1: &str = "c100000000000000000000000000000000000000000000000000000000000000";
const C2: &str = "c200000000000000000000000000000000000000000000000000000000000000";
const E1: &str = "e100000000000000000000000000000000000000000000000000000000000000";
const E2: &str = "e200000000000000000000000000000000000000000000000000000000000000";
const E3: &str = "e300000000000000000000000000000000000000000000000000000000000000";
const U1: &str = "u100000000000000000000000000000000000000000000000000000000000000";
const NOBODY: &str = "ff00000000000000000000000000000000000000000000000000000000000000";

struct World {
    colony1: Colony,
    colony2: Colony,
    executors: Vec<Executor>,
    users: Vec<User>,
    process: Process,
}

fn executor(id: &str, name: &str, colony: &str, state: ExecutorState) -> Executor {
    Executor {
        executorid: id.into(),
        executorname: name.into(),
        colonyname: colony.into(),
        state,
        ..Default::default()
    }
}

fn world() -> World {
    World {
        colony1: Colony { colonyid: C1.into(), name: "colony1".into() },
        colony2: Colony { colonyid: C2.into(), name: "colony2".into() },
        executors: vec![
            executor(E1, "executor1", "colony1", ExecutorState::Approved),
            executor(E2, "executor2", "colony2", ExecutorState::Approved),
            executor(E3, "executor3", "colony1", ExecutorState::Pending),
        ],
        users: vec![User {
            userid: U1.into(),
            name: "user1".into(),
            colonyname: "colony1".into(),
            ..Default::default()
        }],
        process: Process {
            initiatorid: U1.into(),
            assignedexecutorid: E1.into(),
            isassigned: true,
            ..Default::default()
        },
    }
}

impl World {
    /// The executor and user rows a server would read for `caller`.
    fn rows(&self, caller: &str) -> (Vec<Executor>, Vec<User>) {
        (
            self.executors.iter().filter(|e| e.executorid == caller).cloned().collect(),
            self.users.iter().filter(|u| u.userid == caller).cloned().collect(),
        )
    }

    fn check(
        &self,
        role: Role,
        caller: &str,
        colony: &Colony,
        executor_name: Option<&str>,
    ) -> Result<(), AuthError> {
        let (executors, users) = self.rows(caller);
        let facts = Facts {
            server_id: S,
            colony: Some(colony),
            executors: &executors,
            users: &users,
            process: Some(&self.process),
            executor_name,
        };
        authorize(role, caller, &facts)
    }
}

#[test]
fn server_owner_only() {
    let w = world();
    assert_eq!(w.check(Role::ServerOwner, S, &w.colony1, None), Ok(()));
    for caller in [C1, C2, E1, U1, NOBODY, ""] {
        assert_eq!(
            w.check(Role::ServerOwner, caller, &w.colony1, None),
            Err(AuthError::NotServerOwner)
        );
    }
    assert!(!is_server_owner("", ""), "an empty server ID matches nobody");
}

#[test]
fn colony_owner_only() {
    let w = world();
    assert_eq!(w.check(Role::ColonyOwner, C1, &w.colony1, None), Ok(()));
    for caller in [C2, S, E1, E3, U1, NOBODY] {
        assert_eq!(
            w.check(Role::ColonyOwner, caller, &w.colony1, None),
            Err(AuthError::NotColonyOwner)
        );
    }
    let facts = Facts { colony: None, ..Default::default() };
    assert_eq!(authorize(Role::ColonyOwner, C1, &facts), Err(AuthError::NotColonyOwner));
    assert!(is_colony_owner(C2, &w.colony2));
}

#[test]
fn owners_are_not_members() {
    let w = world();
    for role in [Role::Member, Role::ApprovedMember] {
        for caller in [C1, C2, S] {
            assert_eq!(
                w.check(role, caller, &w.colony1, None),
                Err(AuthError::NotMember),
                "{role:?} {caller}"
            );
        }
    }
}

#[test]
fn membership_and_approval() {
    let w = world();
    // GetColony(colony1): E1 ✓, E2 ✗; users count as approved members.
    assert_eq!(w.check(Role::ApprovedMember, E1, &w.colony1, None), Ok(()));
    assert_eq!(w.check(Role::ApprovedMember, U1, &w.colony1, None), Ok(()));
    assert_eq!(w.check(Role::ApprovedMember, E2, &w.colony1, None), Err(AuthError::NotMember));
    assert_eq!(w.check(Role::ApprovedMember, E2, &w.colony2, None), Ok(()));
    // A pending executor may list executors but not submit.
    assert_eq!(w.check(Role::Member, E3, &w.colony1, None), Ok(()));
    assert_eq!(w.check(Role::ApprovedMember, E3, &w.colony1, None), Err(AuthError::NotMember));
    // An unregistered executor is no member at all (stricter than Go).
    let gone = [executor(E1, "executor1", "colony1", ExecutorState::Unregistered)];
    assert!(!is_member(E1, "colony1", &gone, &[], Approval::Any));
    let rejected = [executor(E1, "executor1", "colony1", ExecutorState::Rejected)];
    assert!(is_member(E1, "colony1", &rejected, &[], Approval::Any));
    assert!(!is_member(E1, "colony1", &rejected, &[], Approval::Required));
    // The same key registered in two colonies is a member of both.
    let twice = [
        executor(E1, "a", "colony2", ExecutorState::Approved),
        executor(E1, "b", "colony1", ExecutorState::Approved),
    ];
    assert!(is_member(E1, "colony1", &twice, &[], Approval::Required));
    // IDs are case-sensitive.
    assert!(!is_member(&E1.to_uppercase(), "colony1", &w.executors, &[], Approval::Any));
    let facts = Facts { colony: None, executors: &w.executors, ..Default::default() };
    assert_eq!(authorize(Role::Member, E1, &facts), Err(AuthError::NotMember));
}

#[test]
fn member_or_owner() {
    let w = world();
    assert_eq!(w.check(Role::ApprovedMemberOrOwner, C1, &w.colony1, None), Ok(()));
    assert_eq!(w.check(Role::ApprovedMemberOrOwner, E1, &w.colony1, None), Ok(()));
    // Go checks membership, then ownership, and answers with the ownership refusal.
    assert_eq!(
        w.check(Role::ApprovedMemberOrOwner, C2, &w.colony1, None),
        Err(AuthError::NotColonyOwner)
    );
    assert_eq!(
        w.check(Role::ApprovedMemberOrOwner, E3, &w.colony1, None),
        Err(AuthError::NotColonyOwner)
    );
}

#[test]
fn assign_needs_an_approved_executor() {
    let w = world();
    assert_eq!(w.check(Role::ApprovedExecutor, E1, &w.colony1, None), Ok(()));
    for caller in [U1, C1, E2, E3] {
        assert!(w.check(Role::ApprovedExecutor, caller, &w.colony1, None).is_err(), "{caller}");
    }
}

#[test]
fn assigned_executor() {
    let w = world();
    assert_eq!(w.check(Role::AssignedExecutor, E1, &w.colony1, None), Ok(()));
    assert_eq!(w.check(Role::AssignedExecutor, U1, &w.colony1, None), Err(AuthError::NotAssigned));
    assert_eq!(w.check(Role::AssignedExecutor, E2, &w.colony1, None), Err(AuthError::NotMember));
    assert_eq!(w.check(Role::AssignedExecutor, C1, &w.colony1, None), Err(AuthError::NotMember));
    let waiting =
        Process { assignedexecutorid: E1.into(), isassigned: false, ..Default::default() };
    assert!(!is_assigned(E1, &waiting), "an unassigned process belongs to nobody");
    assert!(!is_assigned("", &Process::default()));
    let facts =
        Facts { colony: Some(&w.colony1), executors: &w.executors[..1], ..Default::default() };
    assert_eq!(authorize(Role::AssignedExecutor, E1, &facts), Err(AuthError::NotAssigned));
}

#[test]
fn self_executor() {
    let w = world();
    // ReportAllocation(colony1, executor1): E1 ✓; C1, C2, E2 ✗.
    assert_eq!(w.check(Role::SelfExecutor, E1, &w.colony1, Some("executor1")), Ok(()));
    assert_eq!(
        w.check(Role::SelfExecutor, C1, &w.colony1, Some("executor1")),
        Err(AuthError::NotMember)
    );
    assert_eq!(
        w.check(Role::SelfExecutor, E2, &w.colony1, Some("executor1")),
        Err(AuthError::NotMember)
    );
    // Unapproved executors may report for themselves, not for others.
    assert_eq!(w.check(Role::SelfExecutor, E3, &w.colony1, Some("executor3")), Ok(()));
    assert_eq!(
        w.check(Role::SelfExecutor, E3, &w.colony1, Some("executor1")),
        Err(AuthError::NotSelf)
    );
    // AddFunction: E1 for itself ✓, for another ✗, executor3 (pending) ✗.
    assert_eq!(w.check(Role::ApprovedSelfExecutor, E1, &w.colony1, Some("executor1")), Ok(()));
    assert_eq!(
        w.check(Role::ApprovedSelfExecutor, E1, &w.colony1, Some("executor3")),
        Err(AuthError::NotSelf)
    );
    assert_eq!(
        w.check(Role::ApprovedSelfExecutor, E3, &w.colony1, Some("executor3")),
        Err(AuthError::NotMember)
    );
    assert_eq!(w.check(Role::ApprovedSelfExecutor, E1, &w.colony1, None), Err(AuthError::NotSelf));
}

#[test]
fn key_rotation_roles() {
    let w = world();
    assert_eq!(w.check(Role::MemberUser, U1, &w.colony1, None), Ok(()));
    for caller in [E1, C1, E2] {
        assert_eq!(w.check(Role::MemberUser, caller, &w.colony1, None), Err(AuthError::NotUser));
    }
    assert_eq!(w.check(Role::MemberExecutor, E1, &w.colony1, None), Ok(()));
    assert_eq!(w.check(Role::MemberExecutor, E3, &w.colony1, None), Ok(()));
    for caller in [U1, C1, E2] {
        assert_eq!(
            w.check(Role::MemberExecutor, caller, &w.colony1, None),
            Err(AuthError::NotExecutor)
        );
    }
}

#[test]
fn process_participants() {
    let w = world();
    assert_eq!(w.check(Role::ProcessParticipant, U1, &w.colony1, None), Ok(()), "initiator");
    assert_eq!(w.check(Role::ProcessParticipant, E1, &w.colony1, None), Ok(()), "assigned");
    let other_user =
        User { userid: NOBODY.into(), colonyname: "colony1".into(), ..Default::default() };
    let facts = Facts {
        colony: Some(&w.colony1),
        users: core::slice::from_ref(&other_user),
        process: Some(&w.process),
        ..Default::default()
    };
    assert_eq!(authorize(Role::ProcessParticipant, NOBODY, &facts), Err(AuthError::NotParticipant));
}

#[test]
fn anyone_and_statuses() {
    assert_eq!(authorize(Role::Anyone, "", &Facts::default()), Ok(()));
    assert_eq!(AuthError::NotMember.status(), 403);
    assert_eq!(
        AuthError::NotAssigned.to_string(),
        "Access denied, process is not assigned to caller"
    );
}
