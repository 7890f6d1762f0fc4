//! Which state moves are legal for a process, and the state of a graph (protocol §6.1, §6.6).
//!
//! ```text
//! WAITING ──assign──► RUNNING ──close successful──► SUCCESS
//!    ▲  │                │  └───close failed / retries used up──► FAILED
//!    │  │                └──unassign (exec time expired, executor removed)──► WAITING
//!    │  ├── close failed (wait time expired) ──► FAILED
//!    └──┴── cancel (also from RUNNING) ──► CANCELLED
//! ```
//! Terminal states are final. Go accepts a second close-successful on a SUCCESS process (§11
//! item 24); we refuse it, so an output can never change after success.

use crate::model::{ProcessState, StateFilter};
use core::fmt;

/// Something that moves a process from one state to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Transition {
    /// An executor takes a waiting process.
    Assign,
    /// The assigned executor reports success.
    CloseSuccessful,
    /// The assigned executor reports failure, or a deadline fails the process.
    CloseFailed,
    /// A member cancels the process (or its graph).
    Cancel,
    /// The run is taken back: execution time expired with retries left, or executor removed.
    Unassign,
}

impl fmt::Display for Transition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Assign => "assign",
            Self::CloseSuccessful => "close as successful",
            Self::CloseFailed => "close as failed",
            Self::Cancel => "cancel",
            Self::Unassign => "unassign",
        })
    }
}

/// Why a process cannot do what was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransitionError {
    /// The transition is not legal from the process's state (400).
    NotAllowed {
        /// The state the process is in.
        from: ProcessState,
        /// What was asked.
        transition: Transition,
    },
    /// Output, attributes, logs and children need a running process (403).
    NotRunning,
    /// A workflow process cannot be removed or cancelled on its own (400).
    InWorkflow,
    /// A running process or graph cannot be removed (400).
    Running,
}

impl TransitionError {
    /// The HTTP status Colonies answers with.
    pub const fn status(&self) -> u16 {
        match self {
            Self::NotRunning => 403,
            Self::NotAllowed { .. } | Self::InWorkflow | Self::Running => 400,
        }
    }
}

impl fmt::Display for TransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAllowed { from, transition } => match go_refusal(*from, *transition) {
                // Go's database layer words these refusals (clients match on them).
                Some(text) => f.write_str(text),
                None => write!(f, "cannot {transition} a process in state {}", state_name(*from)),
            },
            Self::NotRunning => f.write_str("process is not running"),
            Self::InWorkflow => f.write_str(
                "process is part of a workflow; remove or cancel the process graph instead",
            ),
            Self::Running => f.write_str("cannot remove a running process or process graph"),
        }
    }
}

impl core::error::Error for TransitionError {}

/// Go's text for a refused move, where Go refuses it (Go accepts a second success).
const fn go_refusal(from: ProcessState, transition: Transition) -> Option<&'static str> {
    use ProcessState::{Cancelled, Failed, Running, Success, Waiting};
    Some(match (transition, from) {
        (Transition::CloseSuccessful, Failed) => "Tried to set failed process as successful",
        (Transition::CloseSuccessful, Cancelled) => "Tried to set cancelled process as successful",
        (Transition::CloseSuccessful, Waiting) => {
            "Tried to set waiting process as successful without being running"
        }
        (Transition::CloseFailed, Success) => "Tried to set successful process as failed",
        (Transition::CloseFailed, Failed) => "Tried to set failed process as failed",
        (Transition::CloseFailed, Cancelled) => "Tried to set cancelled process as failed",
        (Transition::Cancel, Success) => "Tried to cancel successful process",
        (Transition::Cancel, Failed) => "Tried to cancel failed process",
        (Transition::Cancel, Cancelled) => "Tried to cancel already cancelled process",
        (Transition::Assign, Cancelled) => "Cannot assign cancelled process",
        (Transition::Assign, Running | Success | Failed) => "Process already assigned",
        _ => return None,
    })
}

/// The upper-case name Colonies uses for a state in messages.
pub const fn state_name(state: ProcessState) -> &'static str {
    match state {
        ProcessState::Waiting => "WAITING",
        ProcessState::Running => "RUNNING",
        ProcessState::Success => "SUCCESS",
        ProcessState::Failed => "FAILED",
        ProcessState::Cancelled => "CANCELLED",
    }
}

/// The state after `transition` from `from`, or why it is not allowed.
pub const fn next_state(
    from: ProcessState,
    transition: Transition,
) -> Result<ProcessState, TransitionError> {
    use ProcessState::{Cancelled, Failed, Running, Success, Waiting};
    let to = match (transition, from) {
        (Transition::Assign, Waiting) => Running,
        (Transition::CloseSuccessful, Running) => Success,
        (Transition::CloseFailed, Waiting | Running) => Failed,
        (Transition::Cancel, Waiting | Running) => Cancelled,
        (Transition::Unassign, Running) => Waiting,
        _ => return Err(TransitionError::NotAllowed { from, transition }),
    };
    Ok(to)
}

/// Setting output, adding attributes, logs or children needs a running process (else 403).
pub const fn require_running(state: ProcessState) -> Result<(), TransitionError> {
    match state {
        ProcessState::Running => Ok(()),
        _ => Err(TransitionError::NotRunning),
    }
}

/// Whether `removeprocessmsg` may delete a process: not running, not in a workflow.
pub const fn check_removable(
    state: ProcessState,
    in_workflow: bool,
) -> Result<(), TransitionError> {
    if in_workflow {
        return Err(TransitionError::InWorkflow);
    }
    match state {
        ProcessState::Running => Err(TransitionError::Running),
        _ => Ok(()),
    }
}

/// Whether `cancelprocessmsg` may cancel a process: not in a workflow, waiting or running.
pub const fn check_cancellable(
    state: ProcessState,
    in_workflow: bool,
) -> Result<ProcessState, TransitionError> {
    if in_workflow {
        return Err(TransitionError::InWorkflow);
    }
    next_state(state, Transition::Cancel)
}

/// Whether `removeprocessgraphmsg` may delete a graph: it is not running.
pub const fn check_graph_removable(graph_state: ProcessState) -> Result<(), TransitionError> {
    match graph_state {
        ProcessState::Running => Err(TransitionError::Running),
        _ => Ok(()),
    }
}

/// Whether a "remove all" filter is allowed: every state but running.
pub const fn check_remove_all(filter: StateFilter) -> Result<(), TransitionError> {
    match filter {
        StateFilter::Only(ProcessState::Running) => Err(TransitionError::Running),
        _ => Ok(()),
    }
}

/// What an expired run becomes: failed when retries are used up (`maxretries` `-1`: never).
pub const fn on_exec_timeout(retries: i64, maxretries: i64) -> Transition {
    if maxretries > -1 && retries >= maxretries {
        Transition::CloseFailed
    } else {
        Transition::Unassign
    }
}

/// Whether a run has an execution deadline. Only `maxexectime > 0` does: `-1` is unlimited in
/// Go, and we treat `0` as unlimited too instead of Go's "expires at once" (§5.4 QUIRK).
pub const fn has_exec_deadline(maxexectime: i64) -> bool {
    maxexectime > 0
}

/// Whether a waiting process has a deadline. Only `maxwaittime > 0` does: Go fails other
/// negative values at once (§6.5 QUIRK); we treat every value ≤ 0 as unlimited.
pub const fn has_wait_deadline(maxwaittime: i64) -> bool {
    maxwaittime > 0
}

/// Whether a workflow process may be assigned: all its parents succeeded.
pub fn parents_succeeded(parent_states: impl IntoIterator<Item = ProcessState>) -> bool {
    parent_states.into_iter().all(|state| state == ProcessState::Success)
}

/// The state of a graph from the states of its processes (§6.6):
/// failed if any failed; else cancelled if any was cancelled; else success if all succeeded;
/// else running if any succeeded or runs; else waiting. An empty graph is waiting.
pub fn graph_state(process_states: impl IntoIterator<Item = ProcessState>) -> ProcessState {
    let (mut total, mut success, mut running) = (0usize, 0usize, 0usize);
    let mut cancelled = false;
    for state in process_states {
        total += 1;
        match state {
            ProcessState::Failed => return ProcessState::Failed,
            ProcessState::Cancelled => cancelled = true,
            ProcessState::Success => success += 1,
            ProcessState::Running => running += 1,
            ProcessState::Waiting => {}
        }
    }
    if cancelled {
        ProcessState::Cancelled
    } else if total > 0 && success == total {
        ProcessState::Success
    } else if success > 0 || running > 0 {
        ProcessState::Running
    } else {
        ProcessState::Waiting
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProcessState::{Cancelled, Failed, Running, Success, Waiting};
    use alloc::string::ToString;

    const ALL_TRANSITIONS: [Transition; 5] = [
        Transition::Assign,
        Transition::CloseSuccessful,
        Transition::CloseFailed,
        Transition::Cancel,
        Transition::Unassign,
    ];

    #[test]
    fn legal_moves() {
        assert_eq!(next_state(Waiting, Transition::Assign), Ok(Running));
        assert_eq!(next_state(Running, Transition::CloseSuccessful), Ok(Success));
        assert_eq!(next_state(Running, Transition::CloseFailed), Ok(Failed));
        assert_eq!(next_state(Waiting, Transition::CloseFailed), Ok(Failed));
        assert_eq!(next_state(Waiting, Transition::Cancel), Ok(Cancelled));
        assert_eq!(next_state(Running, Transition::Cancel), Ok(Cancelled));
        assert_eq!(next_state(Running, Transition::Unassign), Ok(Waiting));
    }

    #[test]
    fn illegal_moves() {
        assert!(next_state(Running, Transition::Assign).is_err());
        assert!(next_state(Waiting, Transition::CloseSuccessful).is_err());
        assert!(next_state(Waiting, Transition::Unassign).is_err());
        let err = next_state(Success, Transition::CloseSuccessful).unwrap_err();
        assert_eq!(
            err,
            TransitionError::NotAllowed { from: Success, transition: Transition::CloseSuccessful }
        );
        assert_eq!(err.status(), 400);
        assert_eq!(err.to_string(), "cannot close as successful a process in state SUCCESS");
        let err = next_state(Failed, Transition::CloseSuccessful).unwrap_err();
        assert_eq!(err.to_string(), "Tried to set failed process as successful");
        let err = next_state(Cancelled, Transition::Cancel).unwrap_err();
        assert_eq!(err.to_string(), "Tried to cancel already cancelled process");
    }

    #[test]
    fn terminal_states_are_final() {
        for from in [Success, Failed, Cancelled] {
            assert!(from.is_terminal());
            for transition in ALL_TRANSITIONS {
                assert!(next_state(from, transition).is_err(), "{from:?} {transition:?}");
            }
        }
        assert!(!Waiting.is_terminal());
        assert!(!Running.is_terminal());
    }

    #[test]
    fn running_is_required_for_output() {
        assert_eq!(require_running(Running), Ok(()));
        for state in [Waiting, Success, Failed, Cancelled] {
            assert_eq!(require_running(state), Err(TransitionError::NotRunning));
        }
        assert_eq!(TransitionError::NotRunning.status(), 403);
    }

    #[test]
    fn removal_and_cancellation() {
        assert_eq!(check_removable(Success, false), Ok(()));
        assert_eq!(check_removable(Waiting, false), Ok(()));
        assert_eq!(check_removable(Running, false), Err(TransitionError::Running));
        assert_eq!(check_removable(Success, true), Err(TransitionError::InWorkflow));
        assert_eq!(check_cancellable(Waiting, false), Ok(Cancelled));
        assert_eq!(check_cancellable(Running, false), Ok(Cancelled));
        assert!(check_cancellable(Cancelled, false).is_err());
        assert!(check_cancellable(Success, false).is_err());
        assert_eq!(check_cancellable(Waiting, true), Err(TransitionError::InWorkflow));
        assert_eq!(check_graph_removable(Running), Err(TransitionError::Running));
        assert_eq!(check_graph_removable(Failed), Ok(()));
        assert_eq!(check_remove_all(StateFilter::All), Ok(()));
        assert_eq!(check_remove_all(StateFilter::Only(Success)), Ok(()));
        assert_eq!(check_remove_all(StateFilter::Only(Running)), Err(TransitionError::Running));
    }

    #[test]
    fn timeouts() {
        assert_eq!(on_exec_timeout(0, 1), Transition::Unassign);
        assert_eq!(on_exec_timeout(1, 1), Transition::CloseFailed);
        assert_eq!(on_exec_timeout(0, 0), Transition::CloseFailed);
        assert_eq!(on_exec_timeout(1000, -1), Transition::Unassign);
        assert!(has_exec_deadline(1));
        assert!(!has_exec_deadline(0));
        assert!(!has_exec_deadline(-1));
        assert!(has_wait_deadline(5));
        assert!(!has_wait_deadline(0));
        assert!(!has_wait_deadline(-7));
    }

    #[test]
    fn graph_states() {
        assert_eq!(graph_state([]), Waiting);
        assert_eq!(graph_state([Waiting, Waiting]), Waiting);
        assert_eq!(graph_state([Running, Waiting]), Running);
        assert_eq!(graph_state([Success, Waiting]), Running);
        assert_eq!(graph_state([Success, Success]), Success);
        assert_eq!(graph_state([Success, Cancelled, Running]), Cancelled);
        assert_eq!(graph_state([Cancelled, Failed]), Failed);
        assert_eq!(graph_state([Success, Success, Failed]), Failed);
    }

    #[test]
    fn parents() {
        assert!(parents_succeeded([]));
        assert!(parents_succeeded([Success, Success]));
        assert!(!parents_succeeded([Success, Running]));
        assert!(!parents_succeeded([Failed]));
    }
}
