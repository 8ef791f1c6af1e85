//! Helpers shared by the compliance rules.

use crate::CheckContext;
use flowgate_model::{
    Asset, AssetRef, Channel, MessageCategory, MessageContent, Step, StepAction, Template, Workflow,
};

/// A send step of a workflow: the step, the template reference, and whether it is `send_sms`.
pub(crate) struct Send<'a> {
    /// The step.
    pub step: &'a Step,
    /// The template it sends.
    pub template: &'a AssetRef,
    /// `send_sms` (otherwise `send_email`).
    pub sms: bool,
}

/// The send step an action is, if it is one.
pub(crate) fn as_send(step: &Step) -> Option<Send<'_>> {
    match &step.action {
        StepAction::SendEmail { template, .. } => Some(Send {
            step,
            template,
            sms: false,
        }),
        StepAction::SendSms { template, .. } => Some(Send {
            step,
            template,
            sms: true,
        }),
        _ => None,
    }
}

/// Every send step of a workflow, in the order the steps are written.
pub(crate) fn sends(workflow: &Workflow) -> impl Iterator<Item = Send<'_>> {
    workflow.steps.iter().filter_map(as_send)
}

/// The template a send step sends, when it exists (the loader reports dangling ones).
pub(crate) fn sent_template<'a>(
    ctx: &CheckContext<'a>,
    send: &Send<'_>,
) -> Option<(&'a Asset, &'a Template)> {
    ctx.template(&send.template.value)
}

/// Whether a template is marketing (the default category).
pub(crate) fn is_marketing(template: &Template) -> bool {
    template.category == MessageCategory::Marketing
}

/// How a channel is named in messages.
pub(crate) fn channel_label(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "email",
        Channel::Sms => "SMS",
        Channel::Phone => "phone",
        Channel::Whatsapp => "WhatsApp",
        Channel::Push => "push",
    }
}

/// The contents of a template with a label for messages: `None` for the default locale,
/// `Some(locale)` for the others (in locale order).
pub(crate) fn contents(template: &Template) -> Vec<(Option<&str>, &MessageContent)> {
    std::iter::once((None, &template.content))
        .chain(
            template
                .locales
                .iter()
                .map(|(locale, content)| (Some(locale.as_str()), &content.value)),
        )
        .collect()
}

/// The words of a text: maximal runs of alphanumeric characters, upper-cased.
pub(crate) fn upper_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_uppercase)
}
