//! `POST /api` over the platform's global `fetch`: the same code in browsers, Node ≥ 20 and
//! Workers (no `window`, no `WorkerGlobalScope` check, which Node has neither of).

use crate::error::Error;
use js_sys::{Array, Promise, Reflect};
use wasm_bindgen::{JsCast, prelude::*};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Request, RequestInit, Response};

#[wasm_bindgen]
extern "C" {
    /// `globalThis.fetch`, resolved when called so a polyfill installed later is seen too.
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(request: &Request) -> Promise;
}

/// When a call gives up: the client's timeout and, optionally, the caller's own signal.
pub(crate) struct Deadline {
    /// Milliseconds until the timeout fires.
    pub ms: u32,
    /// The caller's `AbortSignal`, if any.
    pub signal: Option<AbortSignal>,
}

impl Deadline {
    /// One signal for `fetch`: the timeout, combined with the caller's where the platform
    /// has `AbortSignal.any` (Node ≥ 20.3, current browsers and Workers).
    fn arm(&self) -> (AbortSignal, AbortSignal) {
        let timeout = AbortSignal::timeout_with_u32(self.ms);
        let combined = match &self.signal {
            None => timeout.clone(),
            Some(user) => {
                let has_any = Reflect::get(&js_sys::global(), &"AbortSignal".into())
                    .and_then(|class| Reflect::get(&class, &"any".into()))
                    .is_ok_and(|any| any.is_function());
                if has_any { AbortSignal::any(&Array::of2(user, &timeout)) } else { user.clone() }
            }
        };
        (timeout, combined)
    }

    /// What a rejected `fetch` or body read means, given which signal fired.
    fn classify(&self, timeout: &AbortSignal, error: &JsValue) -> Error {
        if self.signal.as_ref().is_some_and(AbortSignal::aborted) {
            Error::Aborted
        } else if timeout.aborted() {
            Error::Timeout(self.ms)
        } else {
            Error::Network(describe(error))
        }
    }
}

/// `message` of a JavaScript error, with its `cause` (Node puts `ECONNREFUSED` there).
fn describe(error: &JsValue) -> String {
    let text = |value: &JsValue| -> Option<String> {
        let message = Reflect::get(value, &"message".into()).ok()?.as_string()?;
        Some(message)
    };
    let mut out = text(error).unwrap_or_else(|| format!("{error:?}"));
    if let Ok(cause) = Reflect::get(error, &"cause".into())
        && !cause.is_undefined()
    {
        let code = Reflect::get(&cause, &"code".into()).ok().and_then(|c| c.as_string());
        if let Some(detail) = code.or_else(|| text(&cause)) {
            out = format!("{out} ({detail})");
        }
    }
    out
}

/// POSTs `body` to `url` and returns the HTTP status and the reply text.
pub(crate) async fn post(
    url: &str,
    body: &str,
    deadline: &Deadline,
) -> Result<(u16, String), Error> {
    let (timeout, signal) = deadline.arm();
    let init = RequestInit::new();
    init.set_method("POST");
    // A string body goes as text/plain, which browsers send without a CORS preflight; the
    // server does not look at the content type (protocol §2.1).
    init.set_body(&JsValue::from_str(body));
    init.set_signal(Some(&signal));
    let request = Request::new_with_str_and_init(url, &init)
        .map_err(|e| Error::Input(format!("cannot request {url}: {}", describe(&e))))?;
    let response: Response = JsFuture::from(global_fetch(&request))
        .await
        .map_err(|e| deadline.classify(&timeout, &e))?
        .unchecked_into();
    let text = response.text().map_err(|e| Error::Network(describe(&e)))?;
    let text = JsFuture::from(text).await.map_err(|e| deadline.classify(&timeout, &e))?;
    Ok((response.status(), text.as_string().unwrap_or_default()))
}

/// GETs `url` and returns the HTTP status.
pub(crate) async fn get(url: &str, deadline: &Deadline) -> Result<u16, Error> {
    let (timeout, signal) = deadline.arm();
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_signal(Some(&signal));
    let request = Request::new_with_str_and_init(url, &init)
        .map_err(|e| Error::Input(format!("cannot request {url}: {}", describe(&e))))?;
    let response: Response = JsFuture::from(global_fetch(&request))
        .await
        .map_err(|e| deadline.classify(&timeout, &e))?
        .unchecked_into();
    Ok(response.status())
}
