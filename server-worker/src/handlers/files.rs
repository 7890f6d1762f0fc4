//! ColonyFS file metadata (protocol §4.12); the bytes stay in the user's S3.

use super::{Cx, authorize, bad_request, not_found};
use crate::{db::DbConn, error::Error, host::Host, ids::new_id, store};
use colonies_core::{
    message::{
        AddFileMsg, Empty, GetFileLabelsMsg, GetFileMsg, GetFilesMsg, Message, RemoveFileMsg,
    },
    model::{File, FileData, Label},
};

/// Refuses an empty or control-character label or file name. File names may hold ':' (they
/// are never part of a composite key, unlike snapshot names).
fn check_file_part(what: &str, value: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(bad_request(format!("file {what} must not be empty")));
    }
    if value.chars().any(char::is_control) {
        return Err(bad_request(format!("file {what} must not contain control characters")));
    }
    Ok(())
}

/// `addfilemsg`: an approved member of `file.colonyname` records a new revision.
pub async fn add<H: Host>(cx: Cx<'_, H>, m: AddFileMsg) -> Result<File, Error> {
    let mut conn = cx.db().await?;
    authorize(&mut conn, AddFileMsg::ROLE, cx.caller, &m.file.colonyname).await?;
    check_file_part("label", &m.file.label)?;
    check_file_part("name", &m.file.name)?;
    if m.file.size < 0 {
        return Err(bad_request("file size must not be negative"));
    }
    let fileid = new_id()?;
    let (client, _) = conn.parts();
    Ok(store::files::insert(&*client, &fileid, &m.file).await?)
}

/// `getfilemsg`: a revision by ID, or the revisions of `label` + `name` (newest first).
pub async fn get<H: Host>(cx: Cx<'_, H>, m: GetFileMsg) -> Result<Vec<File>, Error> {
    let mut db = cx.authorized::<GetFileMsg>(&m.colonyname).await?;
    let client = db.client();
    if !m.fileid.is_empty() {
        // Go answers an unknown ID with 400 "Failed to get file"; kept.
        return match store::files::by_id(&*client, &m.colonyname, &m.fileid).await? {
            Some(file) => Ok(vec![file]),
            None => Err(bad_request("Failed to get file")),
        };
    }
    if m.label.is_empty() || m.name.is_empty() {
        // Go answers 500 "malformatted get file msg"; it is the caller's mistake, so 400.
        return Err(bad_request("malformatted get file msg: give fileid, or label and name"));
    }
    let files = store::files::by_name(&*client, &m.colonyname, &m.label, &m.name, m.latest).await?;
    if files.is_empty() {
        return Err(not_found("Failed to get file"));
    }
    Ok(files)
}

/// `getfilesmsg`: the files directly under a label, each as its newest revision.
pub async fn list<H: Host>(cx: Cx<'_, H>, m: GetFilesMsg) -> Result<Vec<FileData>, Error> {
    let mut db = cx.authorized::<GetFilesMsg>(&m.colonyname).await?;
    let client = db.client();
    Ok(store::files::data_by_label(&*client, &m.colonyname, &m.label).await?)
}

/// `getfilelabelsmsg`: the labels of a colony (all, by prefix, or one and its sub-labels).
pub async fn labels<H: Host>(cx: Cx<'_, H>, m: GetFileLabelsMsg) -> Result<Vec<Label>, Error> {
    use store::files::LabelFilter;
    let mut conn = cx.db().await?;
    authorize(&mut conn, GetFileLabelsMsg::ROLE, cx.caller, &m.colonyname).await?;
    let filter = match (m.name.as_str(), m.exact) {
        ("", _) => LabelFilter::All,
        (name, false) => LabelFilter::Prefix(name),
        (name, true) => LabelFilter::Exact(name),
    };
    let (client, _) = conn.parts();
    Ok(store::files::labels(&*client, &m.colonyname, filter).await?)
}

/// `removefilemsg`: deletes one revision by ID, or every revision of `label` + `name`.
pub async fn remove<H: Host>(cx: Cx<'_, H>, m: RemoveFileMsg) -> Result<Empty, Error> {
    let mut db = cx.authorized::<RemoveFileMsg>(&m.colonyname).await?;
    let client = db.client();
    // Removing what is not there succeeds, as in Go: clients delete the S3 object first and
    // may retry the metadata removal.
    if !m.fileid.is_empty() {
        store::files::remove_by_id(&*client, &m.colonyname, &m.fileid).await?;
    } else if !m.label.is_empty() && !m.name.is_empty() {
        store::files::remove_by_name(&*client, &m.colonyname, &m.label, &m.name).await?;
    } else {
        return Err(bad_request("malformatted remove file msg: give fileid, or label and name"));
    }
    Ok(Empty {})
}
