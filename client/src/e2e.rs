//! End-to-end encrypted colonies (protocol §16) in the Rust client: a colony's keys as this
//! identity holds them ([`ColonyKeys`]), the colony owner's key management
//! ([`Client::create_colony_keys`], [`Client::sync_colony_keys`],
//! [`Client::rotate_colony_keys`]), and transparent sealing.
//!
//! **Transparent sealing.** In a colony whose keys say it is encrypted, every typed call of
//! [`Client`] seals what the server must not read before sending it (function specs' `args`,
//! `kwargs` and `env`, also in workflows and children; `out`; `errors`; attribute values; log
//! messages; channel payloads; the workflows of crons and generators) and opens it in the replies (processes, attributes, logs,
//! channel entries), so callers and the [`Executor`](crate::Executor) loop see plaintext. A
//! value that does not open (no key of its version) is left as it is and an [`E2eWarning`] is
//! kept ([`Client::take_e2e_warnings`]); a value that must be sealed and cannot be is never
//! sent ([`ClientError::Encryption`]).
//!
//! **What it costs a plain colony.** One `getcolonykeysmsg` per colony per client (kept), asked
//! only when something would be sealed, or when a reply holds a sealed value or an assigned
//! process. A server that does not know `getcolonykeysmsg` (a Go server) answers "invalid
//! rpcMsg.PayloadType": the colony is taken as plain, and that is kept too.
//!
//! **Where a process's colony comes from.** Messages that name a process only (`close`, `add
//! log`, channels) are sealed for the colony the client saw the process in (a submit, assign
//! or get). A process this client has not seen is looked up (`getprocessmsg`, kept) only once
//! the client knows an encrypted colony, so a client of plain colonies never asks.

use super::{Client, ClientError};
use alloc::sync::Arc;
use colonies_core::e2e::messages::{AddColonyKeys, ColonyKeys as KeysReply, MemberWrappedKey};
use colonies_core::{
    Id, PrivateKey,
    crypto::PublicKey,
    e2e::{
        self, DataKey, E2eError, Keyring, NONCE_LEN,
        fields::{self, Opener, Sealer},
    },
    message::{self, GetProcessMsg, Message, MessageKind, Transport},
    model::{Attribute, FunctionSpec, Log, MsgEntry, Process, WorkflowSpec},
};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Mutex;

pub use colonies_core::e2e::messages::{
    ADD_COLONY_KEYS, ColonyMemberKeys, GET_COLONY_KEYS, GET_COLONY_MEMBER_KEYS, MemberKeys,
};

/// The most warnings kept until [`Client::take_e2e_warnings`] takes them (the newest).
const MAX_WARNINGS: usize = 256;

/// How a server that does not know a payloadtype refuses it (Go's and this project's).
const UNKNOWN_PAYLOADTYPE: &str = "invalid rpcMsg.PayloadType";

/// A colony's keys as this client's identity holds them.
#[derive(Debug, Clone, Default)]
pub struct ColonyKeys {
    /// The colony.
    pub colonyname: String,
    /// Whether the colony is end-to-end encrypted (false also when the server does not know
    /// `getcolonykeysmsg`).
    pub encrypted: bool,
    /// The version new values are sealed with (0: no key yet).
    pub current_version: u32,
    /// Versions wrapped for this identity that did not unwrap with its key.
    pub unreadable: Vec<u32>,
    keyring: Keyring,
}

impl ColonyKeys {
    /// The keys held, by version.
    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// The key to seal with: `None` in a plain colony; an error in an encrypted colony whose
    /// current version this identity does not hold (nothing may then be sent in plaintext).
    pub fn sealing_key(&self) -> Result<Option<&DataKey>, ClientError> {
        if !self.encrypted {
            return Ok(None);
        }
        match self.keyring.get(self.current_version) {
            Some(key) => Ok(Some(key)),
            None => Err(ClientError::Encryption(format!(
                "colony {:?} is encrypted (key version {}) and this identity holds no key of \
                 that version; the colony owner must wrap it for this member \
                 (`colonies-edge colony keys sync`)",
                self.colonyname, self.current_version
            ))),
        }
    }
}

impl ColonyKeys {
    /// The key of the current version (an error if not held).
    fn current_key(&self) -> Result<&DataKey, ClientError> {
        self.sealing_key()?.ok_or_else(|| {
            ClientError::Encryption(format!("colony {:?} is not encrypted", self.colonyname))
        })
    }
}

/// A value of an encrypted colony that was left as it is because it did not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct E2eWarning {
    /// The colony it was sealed for.
    pub colonyname: String,
    /// Which field (`spec.args`, `out`, `message`, …).
    pub field: &'static str,
    /// Why it did not open.
    pub error: E2eError,
}

impl core::fmt::Display for E2eWarning {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "colony {:?}: {} left encrypted: {}", self.colonyname, self.field, self.error)
    }
}

/// What [`Client::create_colony_keys`], [`Client::sync_colony_keys`] or
/// [`Client::rotate_colony_keys`] did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct KeysChange {
    /// The colony.
    pub colonyname: String,
    /// The version wrapped.
    pub version: u32,
    /// The members (`kind:name`, `owner` for the colony owner) it was wrapped for now.
    pub wrapped_for: Vec<String>,
    /// The members (`kind:name`) it could not be wrapped for: their public key is not known
    /// yet (they must ask their keys once, then `sync`) or does not match their ID.
    pub waiting: Vec<String>,
}

/// What a client has learned about encrypted colonies; shared by clones with the same key.
#[derive(Default)]
pub(crate) struct E2eState {
    colonies: Mutex<HashMap<String, Arc<ColonyKeys>>>,
    processes: Mutex<HashMap<String, String>>,
    warnings: Mutex<Vec<E2eWarning>>,
    /// One `getcolonykeysmsg` at a time, so concurrent calls ask once.
    fetching: tokio::sync::Mutex<()>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl E2eState {
    fn cached(&self, colony: &str) -> Option<Arc<ColonyKeys>> {
        lock(&self.colonies).get(colony).cloned()
    }

    fn knows_encrypted(&self) -> bool {
        lock(&self.colonies).values().any(|keys| keys.encrypted)
    }

    fn process_colony(&self, processid: &str) -> Option<String> {
        lock(&self.processes).get(processid).cloned()
    }

    fn saw_process(&self, process: &Process) {
        let colony = &process.spec.conditions.colonyname;
        if !process.processid.is_empty() && !colony.is_empty() {
            lock(&self.processes).insert(process.processid.clone(), colony.clone());
        }
    }
}

/// Fresh nonces from the platform; a failure is remembered, so that the sealed values are
/// not used.
struct Nonces {
    failed: bool,
}

impl Nonces {
    fn draw(&mut self) -> [u8; NONCE_LEN] {
        let mut nonce = [0u8; NONCE_LEN];
        if getrandom::fill(&mut nonce).is_err() {
            self.failed = true;
        }
        nonce
    }
}

/// One field of a message sealed for its colony: parse `json` as `$msg`'s type, leave it as
/// it is when the field is empty or the colony is plain, else seal the field with `$seal`.
macro_rules! seal_field {
    ($self:ident, $json:ident, $Msg:ty, |$msg:ident| $field:expr, colony: $colony:expr, $seal:ident) => {{
        let mut $msg: $Msg = parse($json)?;
        if $field.is_empty() {
            return Ok(None);
        }
        let colony = $colony;
        let Some(keys) = $self.sealing_keys(colony).await? else { return Ok(None) };
        let key = keys.current_key()?;
        $field = sealed(key, &keys.colonyname, |s| s.$seal(&$field))?;
        Some(message::to_payload_json(&$msg))
    }};
}

/// Seals with `key` for `colony` through `f`; an error if the platform gave no randomness.
fn sealed<T>(
    key: &DataKey,
    colony: &str,
    f: impl FnOnce(&mut Sealer<'_>) -> T,
) -> Result<T, ClientError> {
    let mut nonces = Nonces { failed: false };
    let mut draw = || nonces.draw();
    let result = f(&mut Sealer::new(key, colony, &mut draw));
    if nonces.failed {
        return Err(ClientError::Encryption(E2eError::Entropy.to_string()));
    }
    Ok(result)
}

fn bad_payload(kind: MessageKind, error: impl core::fmt::Display) -> ClientError {
    ClientError::Input(format!("the {} payload does not read back: {error}", kind.payload_type()))
}

fn parse<M: Message>(json: &str) -> Result<M, ClientError> {
    message::parse_payload::<M>(json.as_bytes()).map_err(|e| bad_payload(M::KIND, e))
}

/// Opens values in place, keeping those that do not open and noting why.
struct Opening<'a> {
    opener: Opener<'a>,
    colony: &'a str,
    warnings: Vec<E2eWarning>,
}

impl Opening<'_> {
    fn field<T>(
        &mut self,
        field: &'static str,
        value: &mut T,
        open: impl Fn(&Opener<'_>, &T) -> Result<T, E2eError>,
    ) {
        match open(&self.opener, value) {
            Ok(opened) => *value = opened,
            Err(error) => {
                self.warnings.push(E2eWarning { colonyname: self.colony.to_owned(), field, error })
            }
        }
    }

    fn spec(&mut self, spec: &mut FunctionSpec) {
        self.field("spec.args", &mut spec.args, |o, v| o.list(v));
        self.field("spec.kwargs", &mut spec.kwargs, |o, v| o.map(v));
        self.field("spec.env", &mut spec.env, |o, v| o.env(v));
    }

    fn process(&mut self, process: &mut Process) {
        self.spec(&mut process.spec);
        self.field("in", &mut process.input, |o, v| o.list(v));
        self.field("out", &mut process.output, |o, v| o.list(v));
        self.field("errors", &mut process.errors, |o, v| o.strings(v));
        for attribute in &mut process.attributes {
            self.field("attribute value", &mut attribute.value, |o, v| o.text(v));
        }
    }
}

impl Client {
    fn own_key(&self) -> Result<&PrivateKey, ClientError> {
        self.key.as_deref().ok_or_else(|| {
            ClientError::Input(
                "encrypted colonies need a private key, and this client has none".into(),
            )
        })
    }

    /// The keys of `colony` this identity holds, asked once (`getcolonykeysmsg`) and kept.
    pub async fn colony_keys(&self, colony: &str) -> Result<Arc<ColonyKeys>, ClientError> {
        if let Some(keys) = self.e2e_state.cached(colony) {
            return Ok(keys);
        }
        let _one_at_a_time = self.e2e_state.fetching.lock().await;
        if let Some(keys) = self.e2e_state.cached(colony) {
            return Ok(keys);
        }
        self.fetch_colony_keys(colony).await
    }

    /// Asks the keys of `colony` again (after a rotation, or once the owner wrapped them).
    pub async fn refresh_colony_keys(&self, colony: &str) -> Result<Arc<ColonyKeys>, ClientError> {
        let _one_at_a_time = self.e2e_state.fetching.lock().await;
        self.fetch_colony_keys(colony).await
    }

    async fn fetch_colony_keys(&self, colony: &str) -> Result<Arc<ColonyKeys>, ClientError> {
        let key = self.own_key()?;
        let reply = match self.call_raw(GET_COLONY_KEYS, json!({ "colonyname": colony })).await {
            Ok(reply) => serde_json::from_value::<KeysReply>(reply).map_err(|e| {
                ClientError::Protocol(format!("the {GET_COLONY_KEYS} reply does not parse: {e}"))
            })?,
            // A server without end-to-end encryption: every colony is plain.
            Err(ClientError::Server(failure)) if failure.message.contains(UNKNOWN_PAYLOADTYPE) => {
                KeysReply::default()
            }
            Err(other) => return Err(other),
        };
        let mut keys = ColonyKeys {
            colonyname: colony.to_owned(),
            encrypted: reply.encrypted,
            current_version: reply.currentversion,
            ..ColonyKeys::default()
        };
        for wrapped in &reply.keys {
            match e2e::unwrap(&wrapped.wrapped, key) {
                Ok(data) if data.version() == wrapped.version => keys.keyring.insert(data),
                _ => keys.unreadable.push(wrapped.version),
            }
        }
        let keys = Arc::new(keys);
        lock(&self.e2e_state.colonies).insert(colony.to_owned(), keys.clone());
        Ok(keys)
    }

    /// The values that did not open since the last call (left encrypted in what was returned).
    pub fn take_e2e_warnings(&self) -> Vec<E2eWarning> {
        core::mem::take(&mut *lock(&self.e2e_state.warnings))
    }

    /// Every member of `colony`, its public key and the versions wrapped for it
    /// (`getcolonymemberkeysmsg`, colony owner).
    pub async fn colony_member_keys(&self, colony: &str) -> Result<ColonyMemberKeys, ClientError> {
        let reply = self.call_raw(GET_COLONY_MEMBER_KEYS, json!({ "colonyname": colony })).await?;
        serde_json::from_value(reply).map_err(|e| {
            ClientError::Protocol(format!("the {GET_COLONY_MEMBER_KEYS} reply does not parse: {e}"))
        })
    }

    /// Makes `colony` encrypted (colony owner): a fresh key of version 1, wrapped for the
    /// owner and every member whose public key is known.
    pub async fn create_colony_keys(&self, colony: &str) -> Result<KeysChange, ClientError> {
        let members = self.colony_member_keys(colony).await?;
        if members.currentversion != 0 {
            return Err(ClientError::Encryption(format!(
                "colony {colony:?} is encrypted already (key version {}); use sync or rotate",
                members.currentversion
            )));
        }
        let data = DataKey::generate(1).map_err(|e| ClientError::Encryption(e.to_string()))?;
        self.store_keys(&members, &data, |_| true).await
    }

    /// Wraps the current version for the members that lack it (colony owner): members added
    /// since, once they asked their keys.
    pub async fn sync_colony_keys(&self, colony: &str) -> Result<KeysChange, ClientError> {
        let members = self.colony_member_keys(colony).await?;
        let current = members.currentversion;
        if current == 0 {
            return Err(ClientError::Encryption(format!(
                "colony {colony:?} is not encrypted (no key version yet)"
            )));
        }
        let keys = self.refresh_colony_keys(colony).await?;
        let data = keys.keyring.get(current).cloned().ok_or_else(|| {
            ClientError::Encryption(format!(
                "this identity holds no key of version {current} of colony {colony:?}: only the \
                 colony owner's key can sync"
            ))
        })?;
        self.store_keys(&members, &data, |member| !member.versions.contains(&current)).await
    }

    /// A new version (current + 1), wrapped for every current member whose public key is
    /// known (colony owner): after a member was removed, values sealed from now on are
    /// closed to it.
    pub async fn rotate_colony_keys(&self, colony: &str) -> Result<KeysChange, ClientError> {
        let members = self.colony_member_keys(colony).await?;
        if members.currentversion == 0 {
            return Err(ClientError::Encryption(format!(
                "colony {colony:?} is not encrypted (no key version yet)"
            )));
        }
        let data = DataKey::generate(members.currentversion + 1)
            .map_err(|e| ClientError::Encryption(e.to_string()))?;
        self.store_keys(&members, &data, |_| true).await
    }

    /// Wraps `data` for the members `wanted` selects (and for the owner calling), sends them
    /// with `addcolonykeysmsg`, and asks this identity's keys again.
    async fn store_keys(
        &self,
        members: &ColonyMemberKeys,
        data: &DataKey,
        wanted: impl Fn(&MemberKeys) -> bool,
    ) -> Result<KeysChange, ClientError> {
        let own = self.own_key()?;
        let own_id = own.id().to_hex();
        let colony = members.colonyname.clone();
        let mut change = KeysChange {
            colonyname: colony.clone(),
            version: data.version(),
            ..KeysChange::default()
        };
        let mut targets: Vec<(String, PublicKey, String)> = Vec::new();
        let owner_listed = members.members.iter().any(|m| m.memberid == own_id);
        for member in members.members.iter().filter(|m| wanted(m)) {
            let label = if member.name.is_empty() {
                member.kind.clone()
            } else {
                format!("{}:{}", member.kind, member.name)
            };
            if member.memberid == own_id {
                targets.push((own_id.clone(), own.public_key(), label));
            } else if let Some(public) = member_public_key(member) {
                targets.push((member.memberid.clone(), public, label));
            } else {
                change.waiting.push(label);
            }
        }
        if !owner_listed && data.version() != members.currentversion {
            targets.push((own_id.clone(), own.public_key(), "owner".into()));
        }
        let mut keys = Vec::with_capacity(targets.len());
        for (memberid, public, label) in targets {
            let wrapped = e2e::wrap_random(data, &public)
                .map_err(|e| ClientError::Encryption(format!("wrapping for {label}: {e}")))?;
            keys.push(MemberWrappedKey { memberid, wrapped });
            change.wrapped_for.push(label);
        }
        if !keys.is_empty() {
            let request = AddColonyKeys {
                msgtype: ADD_COLONY_KEYS.into(),
                colonyname: colony.clone(),
                version: data.version(),
                keys,
            };
            let payload = serde_json::to_value(&request)
                .map_err(|e| ClientError::Input(format!("the {ADD_COLONY_KEYS} payload: {e}")))?;
            self.call_raw(ADD_COLONY_KEYS, payload).await?;
        }
        self.refresh_colony_keys(&colony).await?;
        Ok(change)
    }

    /// A process with what its colony's members sealed opened, as the typed calls return it
    /// (for processes that came another way, e.g. a `/pubsub` stream). What does not open is
    /// left as it is, with a warning ([`Client::take_e2e_warnings`]).
    pub async fn open_process(&self, process: Process) -> Process {
        let Ok(json) = serde_json::to_vec(&process) else { return process };
        let opened = self.open_reply(MessageKind::GetProcess, "", json).await;
        message::parse_reply::<GetProcessMsg>(&opened).unwrap_or(process)
    }

    /// The sealed values of `process` (an assigned one) that this identity could not open,
    /// in an encrypted colony whose keys were asked already (no request): their fields, empty
    /// when everything opened or the colony is plain.
    pub fn unopened_fields(&self, process: &Process) -> Vec<&'static str> {
        let encrypted = self
            .e2e_state
            .cached(&process.spec.conditions.colonyname)
            .is_some_and(|keys| keys.encrypted);
        if !encrypted {
            return Vec::new();
        }
        let sealed_text = |value: &serde_json::Value| value.as_str().is_some_and(e2e::is_sealed);
        let spec = &process.spec;
        let mut fields = Vec::new();
        if spec.args.iter().any(sealed_text) {
            fields.push("spec.args");
        }
        if spec.kwargs.get(fields::MAP_KEY).is_some_and(sealed_text) {
            fields.push("spec.kwargs");
        }
        if spec.env.get(fields::MAP_KEY).is_some_and(|v| e2e::is_sealed(v)) {
            fields.push("spec.env");
        }
        if process.input.iter().any(sealed_text) {
            fields.push("in");
        }
        fields
    }

    /// Seals what `kind`'s payload `json` carries for an encrypted colony: the sealed
    /// payload, or `None` to send `json` as it is.
    pub(crate) async fn seal_request(
        &self,
        kind: MessageKind,
        json: &str,
    ) -> Result<Option<String>, ClientError> {
        use colonies_core::message::*;
        Ok(match kind {
            MessageKind::SubmitFunctionSpec => {
                let mut msg: SubmitFunctionSpecMsg = parse(json)?;
                let colony = Some(msg.spec.conditions.colonyname.clone());
                let Some(keys) = self.sealing_keys(colony).await? else { return Ok(None) };
                let key = keys.current_key()?;
                sealed(key, &keys.colonyname, |s| s.spec(&mut msg.spec))?;
                Some(message::to_payload_json(&msg))
            }
            MessageKind::SubmitWorkflowSpec => {
                let mut msg: SubmitWorkflowSpecMsg = parse(json)?;
                let mut colony = msg.spec.colonyname.clone();
                if colony.is_empty() {
                    colony = msg
                        .spec
                        .functionspecs
                        .first()
                        .map(|s| s.conditions.colonyname.clone())
                        .unwrap_or_default();
                }
                let Some(keys) = self.sealing_keys(Some(colony)).await? else { return Ok(None) };
                let key = keys.current_key()?;
                sealed(key, &keys.colonyname, |s| {
                    for spec in &mut msg.spec.functionspecs {
                        s.spec(spec);
                    }
                })?;
                Some(message::to_payload_json(&msg))
            }
            MessageKind::AddChild => {
                let mut msg: AddChildMsg = parse(json)?;
                let colony = if msg.spec.conditions.colonyname.is_empty() {
                    self.colony_of_process(&msg.parentprocessid).await?
                } else {
                    Some(msg.spec.conditions.colonyname.clone())
                };
                let Some(keys) = self.sealing_keys(colony).await? else { return Ok(None) };
                let key = keys.current_key()?;
                sealed(key, &keys.colonyname, |s| s.spec(&mut msg.spec))?;
                Some(message::to_payload_json(&msg))
            }
            MessageKind::CloseSuccessful => seal_field!(
                self,
                json,
                CloseSuccessfulMsg,
                |msg| msg.output,
                colony: self.colony_of_process(&msg.processid).await?,
                list
            ),
            MessageKind::SetOutput => seal_field!(
                self,
                json,
                SetOutputMsg,
                |msg| msg.output,
                colony: self.colony_of_process(&msg.processid).await?,
                list
            ),
            MessageKind::CloseFailed => seal_field!(
                self,
                json,
                CloseFailedMsg,
                |msg| msg.errors,
                colony: self.colony_of_process(&msg.processid).await?,
                strings
            ),
            MessageKind::AddAttribute => seal_field!(
                self,
                json,
                AddAttributeMsg,
                |msg| msg.attribute.value,
                colony: if msg.attribute.targetcolonyname.is_empty() {
                    self.colony_of_process(&msg.attribute.targetid).await?
                } else {
                    Some(msg.attribute.targetcolonyname.clone())
                },
                text
            ),
            MessageKind::AddLog => seal_field!(
                self,
                json,
                AddLogMsg,
                |msg| msg.message,
                colony: self.colony_of_process(&msg.processid).await?,
                text
            ),
            MessageKind::AddExecutorLog => seal_field!(
                self,
                json,
                AddExecutorLogMsg,
                |msg| msg.message,
                colony: Some(msg.colonyname.clone()),
                text
            ),
            MessageKind::ChannelAppend => seal_field!(
                self,
                json,
                ChannelAppendMsg,
                |msg| msg.payload,
                colony: self.colony_of_process(&msg.processid).await?,
                bytes
            ),
            MessageKind::AddCron => {
                let mut msg: AddCronMsg = parse(json)?;
                let text = &msg.cron.workflowspec;
                let Some(text) = self.seal_workflow_text(text, &msg.cron.colonyname).await? else {
                    return Ok(None);
                };
                msg.cron.workflowspec = text;
                Some(message::to_payload_json(&msg))
            }
            MessageKind::AddGenerator => {
                let mut msg: AddGeneratorMsg = parse(json)?;
                let (text, colony) = (&msg.generator.workflowspec, &msg.generator.colonyname);
                let Some(text) = self.seal_workflow_text(text, colony).await? else {
                    return Ok(None);
                };
                msg.generator.workflowspec = text;
                Some(message::to_payload_json(&msg))
            }
            _ => None,
        })
    }

    /// A cron's or generator's workflow (a JSON string) with its specs sealed; `None` to keep
    /// it as it is (a plain colony, or not a workflow: the server refuses it as before).
    async fn seal_workflow_text(
        &self,
        text: &str,
        colony: &str,
    ) -> Result<Option<String>, ClientError> {
        let Ok(mut spec) = colonies_core::gojson::from_str::<WorkflowSpec>(text) else {
            return Ok(None);
        };
        let colony = if spec.colonyname.is_empty() { colony } else { &spec.colonyname };
        let Some(keys) = self.sealing_keys(Some(colony.to_owned())).await? else {
            return Ok(None);
        };
        let key = keys.current_key()?;
        sealed(key, &keys.colonyname, |s| {
            for function in &mut spec.functionspecs {
                s.spec(function);
            }
        })?;
        serde_json::to_string(&spec)
            .map(Some)
            .map_err(|e| ClientError::Input(format!("the workflow does not write back: {e}")))
    }

    /// The keys to seal values of `colony` with: `None` for a plain colony (or none named);
    /// an error for an encrypted colony whose current version this identity does not hold,
    /// even after asking its keys again.
    async fn sealing_keys(
        &self,
        colony: Option<String>,
    ) -> Result<Option<Arc<ColonyKeys>>, ClientError> {
        let Some(colony) = colony.filter(|c| !c.is_empty()) else { return Ok(None) };
        let mut keys = self.colony_keys(&colony).await?;
        if !keys.encrypted {
            return Ok(None);
        }
        if keys.sealing_key().is_err() {
            // Wrapped for this member since, or rotated: ask once more before refusing.
            keys = self.refresh_colony_keys(&colony).await?;
        }
        keys.sealing_key()?;
        Ok(Some(keys))
    }

    /// The colony of a process: as seen in a reply, or asked (`getprocessmsg`, kept) if this
    /// client knows an encrypted colony; `None` otherwise (nothing to seal).
    async fn colony_of_process(&self, processid: &str) -> Result<Option<String>, ClientError> {
        if let Some(colony) = self.e2e_state.process_colony(processid) {
            return Ok(Some(colony));
        }
        if processid.is_empty() || !self.e2e_state.knows_encrypted() {
            return Ok(None);
        }
        let json = message::to_payload_json(&GetProcessMsg { processid: processid.to_owned() });
        let reply = self
            .send_json(GetProcessMsg::PAYLOAD_TYPE, Transport::Api, &json, self.timeout)
            .await?;
        let process = message::parse_reply::<GetProcessMsg>(&reply).map_err(|e| {
            ClientError::Protocol(format!("the getprocessmsg reply does not parse: {e}"))
        })?;
        self.e2e_state.saw_process(&process);
        Ok(Some(process.spec.conditions.colonyname).filter(|c| !c.is_empty()))
    }

    /// Opens what `kind`'s reply holds sealed (the request was `request`); the reply as it
    /// came when there is nothing to open. Never fails: a value that does not open is kept
    /// and noted ([`Client::take_e2e_warnings`]).
    pub(crate) async fn open_reply(
        &self,
        kind: MessageKind,
        request: &str,
        reply: Vec<u8>,
    ) -> Vec<u8> {
        let first = self.open_reply_once(kind, request, &reply, false).await;
        match first {
            Some((opened, warnings, refresh)) if refresh => {
                // A version newer than the keys kept: the colony was rotated; ask again once.
                match self.open_reply_once(kind, request, &reply, true).await {
                    Some((again, warnings, _)) => self.keep(again, warnings),
                    None => self.keep(opened, warnings),
                }
            }
            Some((opened, warnings, _)) => self.keep(opened, warnings),
            None => reply,
        }
    }

    fn keep(&self, opened: Vec<u8>, warnings: Vec<E2eWarning>) -> Vec<u8> {
        if !warnings.is_empty() {
            let mut kept = lock(&self.e2e_state.warnings);
            kept.extend(warnings);
            // A long-running client that never takes them keeps the newest only.
            let excess = kept.len().saturating_sub(MAX_WARNINGS);
            kept.drain(..excess);
        }
        opened
    }

    /// One try at opening; `None` when nothing changed. The flag says whether a value named a
    /// newer version than the keys used.
    async fn open_reply_once(
        &self,
        kind: MessageKind,
        request: &str,
        reply: &[u8],
        refresh: bool,
    ) -> Option<(Vec<u8>, Vec<E2eWarning>, bool)> {
        use colonies_core::message::*;
        let sealed_text = contains(reply, e2e::SEALED_PREFIX.as_bytes());
        match kind {
            MessageKind::SubmitFunctionSpec
            | MessageKind::AssignProcess
            | MessageKind::GetProcess
            | MessageKind::AddChild => {
                let mut process = message::parse_reply::<GetProcessMsg>(reply).ok()?;
                self.e2e_state.saw_process(&process);
                if kind == MessageKind::AssignProcess && !refresh {
                    // The executor will close it: learn now whether its colony is encrypted.
                    let _ = self.colony_keys(&process.spec.conditions.colonyname).await;
                }
                if !sealed_text {
                    return None;
                }
                let colony = process.spec.conditions.colonyname.clone();
                let keys = self.keys_to_open(&colony, refresh).await;
                let mut opening = Opening {
                    opener: Opener::new(keys.keyring(), &colony),
                    colony: &colony,
                    warnings: Vec::new(),
                };
                opening.process(&mut process);
                let newer = newer(&opening.warnings, &keys);
                Some((serde_json::to_vec(&process).ok()?, opening.warnings, newer))
            }
            MessageKind::GetProcesses | MessageKind::GetProcessHistory => {
                let mut processes = message::parse_reply::<GetProcessesMsg>(reply).ok()?;
                for process in &processes {
                    self.e2e_state.saw_process(process);
                }
                if !sealed_text {
                    return None;
                }
                let (mut warnings, mut newer_seen) = (Vec::new(), false);
                for process in &mut processes {
                    let colony = process.spec.conditions.colonyname.clone();
                    let keys = self.keys_to_open(&colony, refresh).await;
                    let mut opening = Opening {
                        opener: Opener::new(keys.keyring(), &colony),
                        colony: &colony,
                        warnings: Vec::new(),
                    };
                    opening.process(process);
                    newer_seen |= newer(&opening.warnings, &keys);
                    warnings.extend(opening.warnings);
                }
                Some((serde_json::to_vec(&processes).ok()?, warnings, newer_seen))
            }
            MessageKind::AddAttribute | MessageKind::GetAttribute => {
                if !sealed_text {
                    return None;
                }
                let mut attribute: Attribute = serde_json::from_slice(reply).ok()?;
                let colony = attribute.targetcolonyname.clone();
                let keys = self.keys_to_open(&colony, refresh).await;
                let mut opening = Opening {
                    opener: Opener::new(keys.keyring(), &colony),
                    colony: &colony,
                    warnings: Vec::new(),
                };
                opening.field("attribute value", &mut attribute.value, |o, v| o.text(v));
                let newer = newer(&opening.warnings, &keys);
                Some((serde_json::to_vec(&attribute).ok()?, opening.warnings, newer))
            }
            MessageKind::GetLogs | MessageKind::SearchLogs => {
                if !sealed_text {
                    return None;
                }
                let mut logs: Vec<Log> = message::parse_reply::<GetLogsMsg>(reply).ok()?;
                let (mut warnings, mut newer_seen) = (Vec::new(), false);
                for log in &mut logs {
                    let colony = log.colonyname.clone();
                    let keys = self.keys_to_open(&colony, refresh).await;
                    let mut opening = Opening {
                        opener: Opener::new(keys.keyring(), &colony),
                        colony: &colony,
                        warnings: Vec::new(),
                    };
                    opening.field("message", &mut log.message, |o, v| o.text(v));
                    newer_seen |= newer(&opening.warnings, &keys);
                    warnings.extend(opening.warnings);
                }
                Some((serde_json::to_vec(&logs).ok()?, warnings, newer_seen))
            }
            MessageKind::ChannelRead => {
                let mut entries: Vec<MsgEntry> =
                    message::parse_reply::<ChannelReadMsg>(reply).ok()?;
                if !entries
                    .iter()
                    .any(|e| e2e::is_sealed(core::str::from_utf8(&e.payload).unwrap_or("")))
                {
                    return None;
                }
                let processid = parse::<ChannelReadMsg>(request).ok()?.processid;
                let colony = self.colony_of_process(&processid).await.ok().flatten()?;
                let keys = self.keys_to_open(&colony, refresh).await;
                let mut opening = Opening {
                    opener: Opener::new(keys.keyring(), &colony),
                    colony: &colony,
                    warnings: Vec::new(),
                };
                for entry in &mut entries {
                    opening.field("payload", &mut entry.payload, |o, v| o.bytes(v));
                }
                let newer = newer(&opening.warnings, &keys);
                Some((serde_json::to_vec(&entries).ok()?, opening.warnings, newer))
            }
            _ => None,
        }
    }

    /// The keys to open values of `colony` with (asked again if `refresh`); none (every
    /// value stays sealed, with a warning) if they cannot be asked.
    async fn keys_to_open(&self, colony: &str, refresh: bool) -> Arc<ColonyKeys> {
        let keys = if refresh {
            self.refresh_colony_keys(colony).await
        } else {
            self.colony_keys(colony).await
        };
        keys.unwrap_or_else(|_| {
            Arc::new(ColonyKeys { colonyname: colony.to_owned(), ..ColonyKeys::default() })
        })
    }
}

/// Whether a value did not open for a version newer than any `keys` hold (the colony was
/// rotated, or this member was given its keys since they were asked).
fn newer(warnings: &[E2eWarning], keys: &ColonyKeys) -> bool {
    let held = keys.keyring.current().map_or(0, DataKey::version);
    warnings.iter().any(|w| matches!(w.error, E2eError::NoKey { version } if version > held))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

/// A member's public key, if known and if it is the key of the member's ID (a key that is
/// not is never wrapped for).
fn member_public_key(member: &MemberKeys) -> Option<PublicKey> {
    let public: PublicKey = member.publickey.parse().ok()?;
    let id: Id = member.memberid.parse().ok()?;
    (public.id() == id).then_some(public)
}

#[cfg(test)]
mod tests;
