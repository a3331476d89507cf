//! SMTP delivery with lettre, and the classification of failures that drives retries.

use std::time::Duration;

use jevons_core::config::{SmtpSecurity, SmtpSettings};
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::DigestError;
use crate::compose::Composed;
use crate::email::Email;

/// Why a send failed, as far as retrying is concerned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// 4xx, connection refused or dropped, timeout: try again later.
    #[error("transient: {0}")]
    Transient(String),
    /// 5xx (mailbox unknown, message refused): more attempts will not help.
    #[error("permanent: {0}")]
    Permanent(String),
}

/// `List-Unsubscribe: <https://…/unsubscribe?token=…>` (RFC 2369).
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_string()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): the mail client's button
/// POSTs to the List-Unsubscribe URL.
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_string())
    }
}

/// A pooled SMTP transport and the sender address. Debug never shows the password.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .finish()
    }
}

impl Mailer {
    pub fn new(s: &SmtpSettings) -> Result<Self, DigestError> {
        let builder = match s.security {
            SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host),
            SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host)
                .map_err(|e| DigestError::Config(format!("smtp: {e}")))?,
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host)
                .map_err(|e| DigestError::Config(format!("smtp: {e}")))?,
        };
        let mut builder = builder
            .port(s.port)
            .timeout(Some(Duration::from_secs(s.timeout_secs.max(1))));
        if let Some(user) = &s.username {
            let password = s
                .password
                .as_ref()
                .map(|p| p.expose_secret().to_string())
                .unwrap_or_default();
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        let from: Mailbox = s
            .from
            .parse()
            .map_err(|e| DigestError::Config(format!("smtp.from `{}`: {e}", s.from)))?;
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }

    /// Builds the MIME message: multipart/alternative of the text part and, for HTML with
    /// images, multipart/related of the HTML and its inline PNGs.
    pub fn message(
        &self,
        to: &Email,
        email: &Composed,
        message_id: &str,
        unsubscribe_url: Option<&str>,
    ) -> Result<Message, DigestError> {
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(None, to.address().clone()))
            .subject(email.subject.clone())
            .message_id(Some(message_id.to_string()));
        if let Some(url) = unsubscribe_url {
            builder = builder
                .header(ListUnsubscribe(format!("<{url}>")))
                .header(ListUnsubscribePost);
        }
        let body = if email.images.is_empty() {
            MultiPart::alternative_plain_html(email.text.clone(), email.html.clone())
        } else {
            let mut related = MultiPart::related().singlepart(SinglePart::html(email.html.clone()));
            let png = ContentType::parse("image/png")
                .map_err(|e| DigestError::Data(format!("content type: {e}")))?;
            for image in &email.images {
                related = related.singlepart(
                    Attachment::new_inline(image.content_id.clone())
                        .body(image.png.clone(), png.clone()),
                );
            }
            MultiPart::alternative()
                .singlepart(SinglePart::plain(email.text.clone()))
                .multipart(related)
        };
        builder
            .multipart(body)
            .map_err(|e| DigestError::Data(format!("message: {e}")))
    }

    pub async fn send(&self, message: Message) -> Result<(), SendError> {
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
            Err(e) => Err(SendError::Transient(e.to_string())),
        }
    }
}
