"""Encryption: encrypt, decrypt, passwd."""

from __future__ import annotations

import sys

import click

from voicejournal.cli.opening import (
    ask_new_passphrase,
    ask_passphrase,
    open_journal,
)
from voicejournal.cli.output import (
    err,
    progress_bar,
)
from voicejournal.core.wording import count


def _conversion_bar(label: str):
    bar = progress_bar(label)
    task = None

    def step(done, total):
        nonlocal task
        if task is None:
            task = bar.add_task(label, total=total)
        bar.update(task, completed=done, total=total)

    return bar, step


def _report_failures(report, verb: str) -> None:
    status = err()
    for path, why in report.failed:
        status.print(f"{path}: {why}", markup=False)
    if report.failed:
        status.print(
            f"{count(len(report.failed), 'file')} could not be {verb}; the journal opens either way. Fix them and run "
            "the same command again to finish.",
            markup=False,
        )
        sys.exit(1)


@click.command()
@click.option(
    "--keyring/--no-keyring",
    "use_keyring",
    default=None,
    help="Keep the journal's key in the system keyring, so this computer does not ask for the passphrase "
    "(default: ask).",
)
def encrypt(use_keyring):
    """Encrypt the journal with a passphrase: transcripts, recordings, backups, everything.

    The old readable files are overwritten and removed. Give the passphrase when asked (it is never shown),
    or in VOICEJOURNAL_PASSPHRASE for scripts. If `encrypt` is interrupted, run it again to finish; the
    journal opens either way. Without the passphrase nothing can be read, not even by you.

    \b
    Examples:
      voicejournal encrypt
      voicejournal encrypt --keyring      ask once, then keep it in the system keyring
    """
    journal = open_journal(unlock=False)
    status = err()
    if journal.encryption_state() == "encrypted" and use_keyring is not None:
        journal.set_keyring(use_keyring, ask_passphrase(journal))
        status.print(
            "The journal's key is now kept in the system keyring."
            if use_keyring
            else "The journal's key is no longer kept in the system keyring; you will be asked for the passphrase.",
            markup=False,
        )
        return
    # Passphrases are asked for before the progress bar takes the terminal.
    state = journal.encryption_state()
    if state == "off":
        from voicejournal.store.keys import PASSPHRASE_ENV

        passphrase = ask_new_passphrase(PASSPHRASE_ENV, "a passphrase")
    elif state == "encrypted":
        passphrase = None  # nothing to ask: encrypt says it is encrypted already
    else:  # finishing an interrupted run
        passphrase = ask_passphrase(journal)
    bar, step = _conversion_bar("Encrypting")
    with bar:
        report = journal.encrypt(passphrase, use_keyring=use_keyring, progress=step)
    _report_failures(report, "encrypted")
    verb = "Finished encrypting" if report.resumed else "Encrypted"
    status.print(
        f"{verb} the journal in {journal.home}: {count(len(report.converted), 'file')}, "
        f"{count(report.recordings, 'recording')} among them. Nothing readable was left behind.",
        markup=False,
    )
    if use_keyring:
        status.print("The journal's key is kept in the system keyring.", markup=False)
    status.print(
        "Keep your passphrase safe: without it nothing in this journal can be read, not even by you.",
        markup=False,
    )


@click.command()
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def decrypt(yes):
    """Turn encryption off: store the journal as readable files again.

    \b
    Example:
      voicejournal decrypt
    """
    journal = open_journal(unlock=False)
    if journal.encryption_state() == "off":
        from voicejournal.errors import UsageError

        raise UsageError("This journal is not encrypted; nothing was changed.")
    if not yes:
        if not sys.stdin.isatty():
            raise click.UsageError(
                "Decrypting makes the journal readable by anyone with access to this folder; add --yes to confirm."
            )
        click.confirm(
            "Anyone who can read this folder will be able to read your journal. Decrypt it?",
            abort=True,
            err=True,
        )
    passphrase = ask_passphrase(journal)  # asked (if it must be) before the progress bar takes the terminal
    bar, step = _conversion_bar("Decrypting")
    with bar:
        report = journal.decrypt(passphrase, progress=step)
    _report_failures(report, "decrypted")
    err().print(
        f"Decrypted the journal in {journal.home}: {count(len(report.converted), 'file')} "
        f"{'is' if len(report.converted) == 1 else 'are'} readable again.",
        markup=False,
    )


@click.command()
@click.option(
    "--keyring/--no-keyring",
    "use_keyring",
    default=None,
    help="Also keep (or stop keeping) the journal's key in the system keyring.",
)
@click.option(
    "--rotate-key",
    is_flag=True,
    help="Also re-encrypt everything with a new key: old copies of the settings and passphrase open nothing new.",
)
def passwd(use_keyring, rotate_key):
    """Change the journal's passphrase (quick: the files are not re-encrypted).

    The current passphrase comes from VOICEJOURNAL_PASSPHRASE, the keyring or a prompt; the new one from
    VOICEJOURNAL_NEW_PASSPHRASE or a prompt (typed twice). With --rotate-key every file is re-encrypted with
    a new key (use it when the old passphrase may be known to someone); if interrupted, run it again.

    \b
    Examples:
      voicejournal passwd
      voicejournal passwd --rotate-key
    """
    from voicejournal.store.keys import NEW_PASSPHRASE_ENV

    journal = open_journal(unlock=False)
    state = journal.encryption_state()
    if state == "off":
        from voicejournal.errors import UsageError

        raise UsageError("This journal is not encrypted; `voicejournal encrypt` turns encryption on.")
    old = ask_passphrase(journal)
    status = err()
    if rotate_key or state == "rotating":
        new = None if state == "rotating" else ask_new_passphrase(NEW_PASSPHRASE_ENV, "a new passphrase")
        bar, step = _conversion_bar("Re-encrypting")
        with bar:
            report = journal.rotate_key(old, new, use_keyring=use_keyring, progress=step)
        _report_failures(report, "re-encrypted")
        status.print(
            f"The passphrase and the key were changed: {len(report.converted)} files re-encrypted. Old copies of "
            "the encryption settings and the old passphrase open nothing written from now on.",
            markup=False,
        )
        return
    new = ask_new_passphrase(NEW_PASSPHRASE_ENV, "a new passphrase")
    in_keyring = journal.change_passphrase(old, new, use_keyring=use_keyring)
    status.print("The passphrase was changed.", markup=False)
    if in_keyring:
        status.print("The system keyring keeps the journal's key.", markup=False)
