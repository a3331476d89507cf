//! A small SMTP server on 127.0.0.1 for tests: speaks EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP
//! and QUIT, keeps every accepted message, and can be told to refuse (4xx), reject (5xx) or
//! drop the connection — checked at each MAIL, so pooled connections see a change at once.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Accept,
    /// Reply with this code to MAIL (421, 451: transient; 550: permanent).
    Refuse(u16),
    /// Close the connection without a reply (at connect and at MAIL).
    Drop,
}

#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

#[derive(Default)]
struct State {
    mode: Option<Mode>,
    messages: Vec<Received>,
    connections: usize,
}

#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    state: Arc<Mutex<State>>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = shared.clone();
                tokio::spawn(async move {
                    let _ = session(stream, state).await;
                });
            }
        });
        Self { port, state }
    }

    pub fn set_mode(&self, mode: Mode) {
        self.state.lock().unwrap().mode = Some(mode);
    }

    fn mode(state: &Arc<Mutex<State>>) -> Mode {
        state.lock().unwrap().mode.unwrap_or(Mode::Accept)
    }

    pub fn messages(&self) -> Vec<Received> {
        self.state.lock().unwrap().messages.clone()
    }

    pub fn connections(&self) -> usize {
        self.state.lock().unwrap().connections
    }
}

async fn session(stream: tokio::net::TcpStream, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    state.lock().unwrap().connections += 1;
    if SmtpSink::mode(&state) == Mode::Drop {
        return Ok(());
    }
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP ready\r\n").await?;
    let mut from = String::new();
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let upper = line.trim_end().to_ascii_uppercase();
        let reply: Vec<u8> = if upper.starts_with("EHLO") {
            b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n".to_vec()
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            b"250 OK\r\n".to_vec()
        } else if upper.starts_with("RSET") {
            from.clear();
            to.clear();
            b"250 OK\r\n".to_vec()
        } else if upper.starts_with("MAIL FROM:") {
            match SmtpSink::mode(&state) {
                Mode::Drop => return Ok(()),
                Mode::Refuse(code) => format!("{code} not now\r\n").into_bytes(),
                Mode::Accept => {
                    from = line.trim_end()[10..].trim().to_string();
                    b"250 OK\r\n".to_vec()
                }
            }
        } else if upper.starts_with("RCPT TO:") {
            to.push(line.trim_end()[8..].trim().to_string());
            b"250 OK\r\n".to_vec()
        } else if upper == "DATA" {
            write.write_all(b"354 go ahead\r\n").await?;
            let mut data = Vec::new();
            loop {
                let mut l = Vec::new();
                if reader.read_until(b'\n', &mut l).await? == 0 {
                    return Ok(());
                }
                if l == b".\r\n" || l == b".\n" {
                    break;
                }
                // Dot-unstuffing (RFC 5321 4.5.2).
                if l.starts_with(b"..") {
                    l.remove(0);
                }
                data.extend_from_slice(&l);
            }
            state.lock().unwrap().messages.push(Received {
                from: std::mem::take(&mut from),
                to: std::mem::take(&mut to),
                data,
            });
            b"250 OK queued\r\n".to_vec()
        } else if upper.starts_with("QUIT") {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            b"500 unknown command\r\n".to_vec()
        };
        write.write_all(&reply).await?;
    }
}
