//! Plinth golden protocol guest, in `#![no_std]` Rust with no crates at all: no extism-pdk, no serde,
//! no cargo, no allocator. It is meant as a reference for plugin authors who want to see everything a
//! Plinth / Extism guest does by hand:
//!
//! 1. talk to the Extism kernel (`extism:host/env`): read the input, allocate blocks, set the output;
//! 2. call Plinth host functions (`extism:host/user`): `host_log`, `host_get_timestamp`;
//! 3. scan JSON without building a tree: validate once, then slice out the values you need;
//! 4. answer the protocol exports: `manifest`, `handle_command`, `init`, `shutdown`, `on_event`,
//!    `get_config`, `set_config`.
//!
//! Built by packages/guests/scripts/guest-builders.ts with Debian's `/usr/bin/rustc` 1.63
//! (`--crate-type cdylib --target wasm32-unknown-unknown -C panic=abort ...`).

#![no_std]

use core::panic::PanicInfo;
use json::Kind;

// =============================================================================================
// 1. The Extism kernel and the host functions this guest imports
// =============================================================================================

/// An Extism memory handle. In the JS SDK it is `block index << 48 | offset`, not a linear-memory
/// address: never dereference it, go through `load_*` / `store_*`. 0 means "no block".
type Handle = u64;

// The kernel. `u8` arguments and results are wasm `i32`, which is what the JS SDK expects.
#[link(wasm_import_module = "extism:host/env")]
extern "C" {
    fn input_length() -> u64;
    fn input_load_u8(offset: u64) -> u8;
    fn input_load_u64(offset: u64) -> u64;
    fn alloc(len: u64) -> Handle;
    fn free(handle: Handle);
    fn length(handle: Handle) -> u64;
    fn load_u8(handle: Handle) -> u8;
    fn load_u64(handle: Handle) -> u64;
    fn store_u8(handle: Handle, byte: u8);
    fn store_u64(handle: Handle, word: u64);
    fn output_set(handle: Handle, len: u64);
    fn error_set(handle: Handle);
}

// Plinth host functions: one string handle in, one string handle out. rustc links with
// `--allow-undefined`, so a misspelled name here would only fail when the plugin is loaded.
#[link(wasm_import_module = "extism:host/user")]
extern "C" {
    fn host_log(input: Handle) -> Handle;
    fn host_get_timestamp(input: Handle) -> Handle;
}

/// With `-C panic=abort` a panic is a trap. The code below avoids every panic it can (slices are taken
/// with `get`), because a trap surfaces on the host as a bare `RuntimeError: unreachable`.
#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// Copies `len` bytes into `dst` with 8-byte loads and then single-byte loads for the tail.
fn copy_in(dst: &mut [u8], load64: impl Fn(u64) -> u64, load8: impl Fn(u64) -> u8) {
    let mut words = dst.chunks_exact_mut(8);
    let mut offset = 0;
    for word in &mut words {
        word.copy_from_slice(&load64(offset).to_le_bytes());
        offset += 8;
    }
    for byte in words.into_remainder() {
        *byte = load8(offset);
        offset += 1;
    }
}

/// Copies this call's input into `buf`; `None` if it does not fit.
fn read_input(buf: &mut [u8]) -> Option<&[u8]> {
    // SAFETY: kernel calls with in-range offsets; they have no other preconditions.
    let len = unsafe { input_length() } as usize;
    let dst = buf.get_mut(..len)?;
    copy_in(dst, |o| unsafe { input_load_u64(o) }, |o| unsafe { input_load_u8(o) });
    Some(dst)
}

/// Copies block `handle` into `buf`; `None` for handle 0 or a block that does not fit.
fn load_block(handle: Handle, buf: &mut [u8]) -> Option<&[u8]> {
    if handle == 0 {
        return None;
    }
    let len = unsafe { length(handle) } as usize;
    let dst = buf.get_mut(..len)?;
    copy_in(dst, |o| unsafe { load_u64(handle + o) }, |o| unsafe { load_u8(handle + o) });
    Some(dst)
}

/// Copies `bytes` into a new block of exactly their length; 0 if the host refused the allocation.
fn store_block(bytes: &[u8]) -> Handle {
    let handle = unsafe { alloc(bytes.len() as u64) };
    if handle == 0 {
        return 0;
    }
    let mut words = bytes.chunks_exact(8);
    let mut offset = 0;
    for word in &mut words {
        let mut le = [0u8; 8];
        le.copy_from_slice(word);
        unsafe { store_u64(handle + offset, u64::from_le_bytes(le)) };
        offset += 8;
    }
    for &byte in words.remainder() {
        unsafe { store_u8(handle + offset, byte) };
        offset += 1;
    }
    handle
}

fn free_block(handle: Handle) {
    if handle != 0 {
        unsafe { free(handle) };
    }
}

/// Sets the export's output. The JS SDK returns the *whole* block whatever length `output_set` is
/// given, which is why `store_block` allocates exactly `bytes.len()`. Returns the export's status.
fn set_output(bytes: &[u8]) -> i32 {
    let handle = store_block(bytes);
    if handle == 0 {
        return 1;
    }
    unsafe { output_set(handle, bytes.len() as u64) };
    0
}

/// Fails the export with `message` (the host sees "Plugin-originated error: <message>"). Do not trap
/// after this: a trap loses the message.
fn set_error(message: &str) -> i32 {
    let handle = store_block(message.as_bytes());
    if handle != 0 {
        unsafe { error_set(handle) };
    }
    1
}

/// Calls host function `f` with `input` and returns its reply handle (0 = none), which the caller
/// frees. A Plinth host function never traps the guest: failures come back as a reply.
fn call_host(f: unsafe extern "C" fn(Handle) -> Handle, input: &[u8]) -> Handle {
    let request = store_block(input);
    if request == 0 {
        return 0;
    }
    let reply = unsafe { f(request) };
    free_block(request);
    reply
}

// =============================================================================================
// 2. A small JSON scanner
// =============================================================================================

/// A JSON scanner that never builds a tree and never allocates. Values are handed around as the
/// sub-slices of the input that spell them (`{"a":1}`, `"text"`, `2.5`, ...), so echoing a value
/// verbatim is just copying its slice.
///
/// Usage: check a whole document once with [`json::parse`], then walk what it returned with
/// [`json::get`] / [`json::members`], [`json::kind`], [`json::str_eq`] and [`json::string_body`].
/// The walking functions assume their argument came out of `parse` (or out of a walk of it).
///
/// It follows RFC 8259 except that it does not check UTF-8 (do that once on the whole input with
/// `core::str::from_utf8`) and that it limits nesting to [`json::MAX_DEPTH`] so that its recursion
/// stays well inside the guest's 64 KiB stack.
mod json {
    /// Why a text is not JSON, and the byte offset where the scanner gave up.
    #[derive(Clone, Copy, Debug)]
    pub struct Error {
        pub what: &'static str,
        pub at: usize,
    }

    pub type Result<T> = core::result::Result<T, Error>;

    /// Deepest nesting of arrays and objects accepted.
    pub const MAX_DEPTH: usize = 128;

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Kind {
        Object,
        Array,
        String,
        Number,
        Bool,
        Null,
    }

    fn err<T>(what: &'static str, at: usize) -> Result<T> {
        Err(Error { what, at })
    }

    /// Checks that `text` is exactly one JSON value, optionally surrounded by whitespace, and returns
    /// the value's own text.
    pub fn parse(text: &[u8]) -> Result<&[u8]> {
        let start = skip_ws(text, 0);
        if start == text.len() {
            return err("no JSON value", start);
        }
        let end = skip_value(text, start, 0)?;
        let rest = skip_ws(text, end);
        if rest != text.len() {
            return err("unexpected text after the JSON value", rest);
        }
        Ok(&text[start..end])
    }

    /// The kind of a scanned value, told by its first byte.
    pub fn kind(value: &[u8]) -> Kind {
        match value.first() {
            Some(b'{') => Kind::Object,
            Some(b'[') => Kind::Array,
            Some(b'"') => Kind::String,
            Some(b't' | b'f') => Kind::Bool,
            Some(b'n') => Kind::Null,
            _ => Kind::Number,
        }
    }

    /// The value of `key` in a scanned object, or `None`. If the key occurs more than once the last
    /// one wins, as in JavaScript's `JSON.parse`.
    pub fn get<'a>(object: &'a [u8], key: &str) -> Option<&'a [u8]> {
        members(object).filter(|(k, _)| str_eq(k, key)).last().map(|(_, value)| value)
    }

    /// Iterates over a scanned object's members as `(key, value)` pairs; the key is a scanned string
    /// (quotes and escapes included), compare it with [`str_eq`].
    pub fn members(object: &[u8]) -> Members<'_> {
        Members { text: object, pos: 1, done: kind(object) != Kind::Object }
    }

    pub struct Members<'a> {
        text: &'a [u8],
        /// Just after the `{` or after the `,` that precedes the next member.
        pos: usize,
        done: bool,
    }

    impl<'a> Iterator for Members<'a> {
        type Item = (&'a [u8], &'a [u8]);

        fn next(&mut self) -> Option<Self::Item> {
            if self.done {
                return None;
            }
            // Stop for good after this member unless a ',' follows it (and also on `}` or an error,
            // which cannot happen on a scanned object).
            self.done = true;
            let text = self.text;
            let key_start = skip_ws(text, self.pos);
            if text.get(key_start) != Some(&b'"') {
                return None; // the `}` of an empty object
            }
            let key_end = skip_string(text, key_start).ok()?;
            let value_start = skip_ws(text, skip_ws(text, key_end) + 1); // past the ':'
            let value_end = skip_value(text, value_start, 0).ok()?;
            let after = skip_ws(text, value_end);
            if text.get(after) == Some(&b',') {
                self.pos = after + 1;
                self.done = false;
            }
            Some((&text[key_start..key_end], &text[value_start..value_end]))
        }
    }

    /// The inside of a scanned string, without its quotes and with its escapes left as they are. That
    /// is already valid inside another JSON string, so it can be spliced into output as is.
    pub fn string_body(string: &[u8]) -> &[u8] {
        string.get(1..string.len().wrapping_sub(1)).unwrap_or(&[])
    }

    /// Whether a scanned string, once its escapes are decoded, equals `expected`. So `"ping"`,
    /// `"p\u0069ng"` and `"\u0070ing"` all equal "ping".
    pub fn str_eq(string: &[u8], expected: &str) -> bool {
        let mut rest = string_body(string);
        let mut want = expected.as_bytes();
        while let Some((&first, tail)) = rest.split_first() {
            if first != b'\\' {
                // Plain bytes (including the UTF-8 of non-ASCII text) compare as they are.
                match want.split_first() {
                    Some((&w, more)) if w == first => want = more,
                    _ => return false,
                }
                rest = tail;
                continue;
            }
            let (ch, after) = match unescape(rest) {
                Some(decoded) => decoded,
                None => return false, // e.g. a lone surrogate: no `&str` can hold it
            };
            let mut utf8 = [0u8; 4];
            match want.strip_prefix(ch.encode_utf8(&mut utf8).as_bytes()) {
                Some(more) => want = more,
                None => return false,
            }
            rest = after;
        }
        want.is_empty()
    }

    /// Decodes the escape at the start of `escape` (which begins with `\`) into a `char` and returns
    /// it with the text after the escape. A `\uD83C\uDF0D` surrogate pair is one `char`.
    fn unescape(escape: &[u8]) -> Option<(char, &[u8])> {
        let simple = match escape.get(1)? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = hex4(escape.get(2..6))?;
                if !(0xD800..0xDC00).contains(&unit) {
                    // A BMP character; `from_u32` refuses a lone low surrogate.
                    return Some((char::from_u32(unit)?, escape.get(6..)?));
                }
                if escape.get(6..8)? != b"\\u" {
                    return None;
                }
                let low = hex4(escape.get(8..12))?;
                if !(0xDC00..0xE000).contains(&low) {
                    return None;
                }
                let code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                return Some((char::from_u32(code)?, escape.get(12..)?));
            }
            _ => return None,
        };
        Some((simple, escape.get(2..)?))
    }

    /// The value of four hex digits, or `None` if they are missing or not hex.
    fn hex4(digits: Option<&[u8]>) -> Option<u32> {
        let mut value = 0;
        for &digit in digits? {
            value = value * 16 + (digit as char).to_digit(16)?;
        }
        Some(value)
    }

    // ---- the scanner proper: each `skip_*` takes the position of a value's first byte and returns
    // ---- the position just past the value, or where and why it is not JSON.

    /// The position of the first non-whitespace byte at or after `pos`.
    fn skip_ws(text: &[u8], mut pos: usize) -> usize {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = text.get(pos) {
            pos += 1;
        }
        pos
    }

    fn skip_value(text: &[u8], pos: usize, depth: usize) -> Result<usize> {
        match text.get(pos) {
            None => err("unexpected end of input", pos),
            Some(b'{' | b'[') if depth == MAX_DEPTH => err("nesting too deep", pos),
            Some(b'{') => skip_object(text, pos, depth + 1),
            Some(b'[') => skip_array(text, pos, depth + 1),
            Some(b'"') => skip_string(text, pos),
            Some(b'-' | b'0'..=b'9') => skip_number(text, pos),
            Some(b't') => skip_literal(text, pos, b"true"),
            Some(b'f') => skip_literal(text, pos, b"false"),
            Some(b'n') => skip_literal(text, pos, b"null"),
            Some(_) => err("unexpected character", pos),
        }
    }

    fn skip_object(text: &[u8], open: usize, depth: usize) -> Result<usize> {
        let mut pos = skip_ws(text, open + 1);
        if text.get(pos) == Some(&b'}') {
            return Ok(pos + 1);
        }
        loop {
            if text.get(pos) != Some(&b'"') {
                return err("expected a string key", pos);
            }
            pos = skip_ws(text, skip_string(text, pos)?);
            if text.get(pos) != Some(&b':') {
                return err("expected ':' after an object key", pos);
            }
            pos = skip_ws(text, skip_value(text, skip_ws(text, pos + 1), depth)?);
            match text.get(pos) {
                Some(b',') => pos = skip_ws(text, pos + 1),
                Some(b'}') => return Ok(pos + 1),
                _ => return err("expected ',' or '}' in an object", pos),
            }
        }
    }

    fn skip_array(text: &[u8], open: usize, depth: usize) -> Result<usize> {
        let mut pos = skip_ws(text, open + 1);
        if text.get(pos) == Some(&b']') {
            return Ok(pos + 1);
        }
        loop {
            pos = skip_ws(text, skip_value(text, pos, depth)?);
            match text.get(pos) {
                Some(b',') => pos = skip_ws(text, pos + 1),
                Some(b']') => return Ok(pos + 1),
                _ => return err("expected ',' or ']' in an array", pos),
            }
        }
    }

    fn skip_string(text: &[u8], open: usize) -> Result<usize> {
        let mut pos = open + 1;
        loop {
            match text.get(pos) {
                None => return err("unterminated string", open),
                Some(b'"') => return Ok(pos + 1),
                Some(b'\\') => match text.get(pos + 1) {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => pos += 2,
                    Some(b'u') if hex4(text.get(pos + 2..pos + 6)).is_some() => pos += 6,
                    _ => return err("invalid escape in a string", pos),
                },
                Some(0..=0x1f) => return err("control character in a string", pos),
                Some(_) => pos += 1,
            }
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn skip_number(text: &[u8], start: usize) -> Result<usize> {
        let digits = |mut pos: usize| {
            while let Some(b'0'..=b'9') = text.get(pos) {
                pos += 1;
            }
            pos
        };
        let mut pos = start;
        if text.get(pos) == Some(&b'-') {
            pos += 1;
        }
        match text.get(pos) {
            Some(b'0') => pos += 1,
            Some(b'1'..=b'9') => pos = digits(pos),
            _ => return err("expected a digit", pos),
        }
        if text.get(pos) == Some(&b'.') {
            let end = digits(pos + 1);
            if end == pos + 1 {
                return err("expected a digit after '.'", end);
            }
            pos = end;
        }
        if let Some(b'e' | b'E') = text.get(pos) {
            pos += 1;
            if let Some(b'+' | b'-') = text.get(pos) {
                pos += 1;
            }
            let end = digits(pos);
            if end == pos {
                return err("expected a digit in the exponent", pos);
            }
            pos = end;
        }
        Ok(pos)
    }

    fn skip_literal(text: &[u8], pos: usize, word: &[u8]) -> Result<usize> {
        if text.get(pos..pos + word.len()) == Some(word) {
            Ok(pos + word.len())
        } else {
            err("invalid literal", pos)
        }
    }
}

// =============================================================================================
// 3. Fixed buffers and an output writer
// =============================================================================================

/// Largest input this guest accepts (a request, an event, a config).
const INPUT_CAP: usize = 256 * 1024;
/// Room for any response: the largest one is an echo of a whole request plus a fixed envelope.
const OUTPUT_CAP: usize = INPUT_CAP + 1024;
/// Largest config `set_config` keeps.
const CONFIG_CAP: usize = 64 * 1024;

/// A fixed-capacity byte buffer that JSON output is written into. A write that does not fit sets
/// `overflowed` instead of panicking; check it before using the bytes.
struct Buf<const N: usize> {
    bytes: [u8; N],
    len: usize,
    overflowed: bool,
}

impl<const N: usize> Buf<N> {
    const fn new() -> Self {
        Buf { bytes: [0; N], len: 0, overflowed: false }
    }

    fn clear(&mut self) -> &mut Self {
        self.len = 0;
        self.overflowed = false;
        self
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// Appends raw bytes (JSON text that is already correct where it lands).
    fn push(&mut self, bytes: &[u8]) -> &mut Self {
        match self.bytes.get_mut(self.len..self.len + bytes.len()) {
            Some(dst) => {
                dst.copy_from_slice(bytes);
                self.len += bytes.len();
            }
            None => self.overflowed = true,
        }
        self
    }

    /// Appends `text` as the inside of a JSON string: `"`, `\` and control characters are escaped.
    fn push_escaped(&mut self, text: &str) -> &mut Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        for &byte in text.as_bytes() {
            match byte {
                b'"' => self.push(b"\\\""),
                b'\\' => self.push(b"\\\\"),
                0..=0x1f => self.push(&[b'\\', b'u', b'0', b'0', HEX[(byte >> 4) as usize], HEX[(byte & 15) as usize]]),
                _ => self.push(&[byte]),
            };
        }
        self
    }

    /// Appends `n` in decimal.
    fn push_decimal(&mut self, mut n: usize) -> &mut Self {
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        loop {
            start -= 1;
            digits[start] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.push(&digits[start..])
    }
}

type Output = Buf<OUTPUT_CAP>;

// The buffers live in static memory (zero-initialised .bss, so they cost nothing in the .wasm file).
// SAFETY of every `unsafe { &mut INPUT }` below: Extism never re-enters an instance, so while one
// export runs it is the only code touching these buffers, and each export takes each buffer once.
static mut INPUT: [u8; INPUT_CAP] = [0; INPUT_CAP];
static mut OUTPUT: Output = Output::new();
static mut CONFIG: Buf<CONFIG_CAP> = Buf::new();

// =============================================================================================
// 4. The protocol
// =============================================================================================

/// The GuestManifest. Whitespace is fine in JSON, so it is kept readable.
const MANIFEST: &[u8] = br#"{
  "protocol_version": 1,
  "id": "plinth-golden.rust",
  "name": "Plinth golden guest (Rust)",
  "version": "1.0.0",
  "description": "Golden protocol guest in no_std Rust without extism-pdk: answers the shared conformance table.",
  "capabilities": ["custom_commands"],
  "commands": ["ping", "echo", "greet", "time"],
  "cli": [
    {"name":"ping","about":"Answer pong","command_name":"ping","args":[]},
    {"name":"echo","about":"Answer the params as sent","command_name":"echo","args":[{"name":"text","help":"Text to send back (every other param is sent back too)","value_type":"String"}]},
    {"name":"greet","about":"Greet someone, and log it","command_name":"greet","args":[{"name":"name","help":"Who to greet","value_type":"String","required":true}]},
    {"name":"time","about":"The host's clock, in milliseconds since 1970","command_name":"time","args":[]}
  ]
}"#;

/// Why an input was refused, for an `invalid request: ...` answer.
struct Invalid {
    what: &'static str,
    at: Option<usize>,
}

impl Invalid {
    const fn new(what: &'static str) -> Self {
        Invalid { what, at: None }
    }
}

impl From<json::Error> for Invalid {
    fn from(e: json::Error) -> Self {
        Invalid { what: e.what, at: Some(e.at) }
    }
}

/// Checks that `text` is UTF-8 holding exactly one JSON object, and returns the object.
fn parse_object(text: &[u8]) -> Result<&[u8], Invalid> {
    if let Err(e) = core::str::from_utf8(text) {
        return Err(Invalid { what: "not valid UTF-8", at: Some(e.valid_up_to()) });
    }
    let value = json::parse(text)?;
    if json::kind(value) != Kind::Object {
        return Err(Invalid::new("expected a JSON object"));
    }
    Ok(value)
}

/// A CommandRequest, as slices of the input.
struct Request<'a> {
    /// The scanned `command` string, quotes and escapes included.
    command: &'a [u8],
    /// The exact JSON text of `params` (`null` when absent).
    params: &'a [u8],
}

fn parse_request(text: &[u8]) -> Result<Request<'_>, Invalid> {
    let root = parse_object(text)?;
    let command = json::get(root, "command").ok_or(Invalid::new("missing \"command\""))?;
    if json::kind(command) != Kind::String {
        return Err(Invalid::new("\"command\" must be a string"));
    }
    let params = json::get(root, "params").unwrap_or(b"null");
    Ok(Request { command, params })
}

fn invalid_request(out: &mut Output, why: Invalid) {
    out.clear().push(br#"{"success":false,"error":"invalid request: "#).push_escaped(why.what);
    if let Some(at) = why.at {
        out.push(b" at byte ").push_decimal(at);
    }
    out.push(br#"","error_code":"invalid_request"}"#);
}

fn invalid_params(out: &mut Output, message: &str) {
    out.clear()
        .push(br#"{"success":false,"error":""#)
        .push_escaped(message)
        .push(br#"","error_code":"invalid_params"}"#);
}

fn run_command(request: &Request, out: &mut Output) {
    let Request { command, params } = *request;
    if json::str_eq(command, "ping") {
        out.push(br#"{"success":true,"data":"pong"}"#);
    } else if json::str_eq(command, "echo") {
        // The params value's exact text, byte for byte.
        out.push(br#"{"success":true,"data":"#).push(params).push(b"}");
    } else if json::str_eq(command, "greet") {
        greet(params, out);
    } else if json::str_eq(command, "time") {
        time(out);
    } else {
        // The command's string body keeps its escapes, so it is valid inside our error string.
        out.push(br#"{"success":false,"error":"unknown command: "#)
            .push(json::string_body(command))
            .push(br#"","error_code":"unknown_command"}"#);
    }
}

/// `greet {name}`: logs `greeting <name>` through `host_log`, answers `Hello, <name>!`.
fn greet(params: &[u8], out: &mut Output) {
    let name = if json::kind(params) == Kind::Object { json::get(params, "name") } else { None };
    let name = match name {
        Some(name) if json::kind(name) == Kind::String => json::string_body(name),
        Some(name) if json::kind(name) != Kind::Null => return invalid_params(out, "greet: params.name must be a string"),
        _ => return invalid_params(out, "greet: params.name is required"),
    };
    // The output buffer doubles as scratch for the log line; it is cleared for the response.
    out.clear().push(br#"{"level":"info","message":"greeting "#).push(name).push(br#""}"#);
    if !out.overflowed {
        // host_log answers "" or an error text; a greeting does not fail because logging did.
        free_block(call_host(host_log, out.as_bytes()));
    }
    out.clear().push(br#"{"success":true,"data":"Hello, "#).push(name).push(br#"!"}"#);
}

/// `time`: the host's clock (`host_get_timestamp`, milliseconds since the epoch as decimal text).
fn time(out: &mut Output) {
    let reply = call_host(host_get_timestamp, b"{}");
    let mut buf = [0u8; 24];
    let stamp = load_block(reply, &mut buf);
    free_block(reply);
    match stamp {
        // Digits without a leading zero are a valid JSON number, so they go out as they came.
        Some(ms) if !ms.is_empty() && ms.iter().all(u8::is_ascii_digit) && (ms.len() == 1 || ms[0] != b'0') => {
            out.push(br#"{"success":true,"data":"#).push(ms).push(b"}");
        }
        _ => {
            out.push(br#"{"success":false,"error":"time: host_get_timestamp did not answer with a timestamp","error_code":"host_error"}"#);
        }
    }
}

// =============================================================================================
// 5. Exports. Each returns 0 on success; only `set_error` makes the host see a failure.
// =============================================================================================

#[no_mangle]
pub extern "C" fn manifest() -> i32 {
    set_output(MANIFEST)
}

/// CommandRequest in, CommandResponse out. Never traps and never fails: every problem is an answer.
#[no_mangle]
pub extern "C" fn handle_command() -> i32 {
    let (input, out) = unsafe { (&mut INPUT, &mut OUTPUT) };
    out.clear();
    match read_input(input).ok_or(Invalid::new("request larger than 256 KiB")).and_then(parse_request) {
        Ok(request) => run_command(&request, out),
        Err(why) => invalid_request(out, why),
    }
    if out.overflowed {
        out.clear()
            .push(br#"{"success":false,"error":"response too large","error_code":"internal_error"}"#);
    }
    set_output(out.as_bytes())
}

/// InitContext in; nothing to set up. The output is ignored, so none is set.
#[no_mangle]
pub extern "C" fn init() -> i32 {
    0
}

#[no_mangle]
pub extern "C" fn shutdown() -> i32 {
    0
}

/// GuestEvent in: logs `on_event: <event_type>` at debug level; anything else is ignored quietly.
#[no_mangle]
pub extern "C" fn on_event() -> i32 {
    let (input, out) = unsafe { (&mut INPUT, &mut OUTPUT) };
    let event_type = read_input(input)
        .and_then(|text| parse_object(text).ok())
        .and_then(|event| json::get(event, "event_type"))
        .filter(|value| json::kind(value) == Kind::String);
    if let Some(event_type) = event_type {
        out.clear()
            .push(br#"{"level":"debug","message":"on_event: "#)
            .push(json::string_body(event_type))
            .push(br#""}"#);
        if !out.overflowed {
            free_block(call_host(host_log, out.as_bytes()));
        }
    }
    0
}

/// The config last given to `set_config`, or `{}`.
#[no_mangle]
pub extern "C" fn get_config() -> i32 {
    let config = unsafe { &CONFIG };
    set_output(if config.is_empty() { &b"{}"[..] } else { config.as_bytes() })
}

/// Stores a config object verbatim and answers `""`. `null` (or an empty input) forgets the config.
/// Anything else fails the call and keeps the previous config; the host logs the failure.
#[no_mangle]
pub extern "C" fn set_config() -> i32 {
    let (input, config) = unsafe { (&mut INPUT, &mut CONFIG) };
    let text = match read_input(input) {
        Some(text) => text,
        None => return set_error("set_config: config larger than 64 KiB"),
    };
    if text.iter().all(u8::is_ascii_whitespace) {
        config.clear();
        return set_output(b"");
    }
    let value = match core::str::from_utf8(text).ok().and_then(|_| json::parse(text).ok()) {
        Some(value) => value,
        None => return set_error("set_config: config is not valid JSON"),
    };
    match json::kind(value) {
        Kind::Null => {
            config.clear();
        }
        Kind::Object if text.len() <= CONFIG_CAP => {
            config.clear().push(text);
        }
        Kind::Object => return set_error("set_config: config larger than 64 KiB"),
        _ => return set_error("set_config: config must be a JSON object or null"),
    }
    set_output(b"")
}
