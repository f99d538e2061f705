### Radar's replies in English. Every language has this file with the same
### message ids and the same variables in each message (checked by the key
### parity test in src/messages.rs); English is the reference.
###
### Replies are Telegram HTML: markup (<b>, <code>, <i>, <s>) lives here.
### Variables holding user text arrive already escaped. Counts are numbers,
### so `{ $count -> [one] … *[other] … }` picks the language's plural form.
### A value cannot start or end with a space (Fluent trims it), and a literal
### brace is written {"{"}.

## Context line, people, dates

context-project = 📁 Project: <b>{ $name }</b>
context-none = 📁 Project: none
who-you = you
who-user = user { $id }
# chrono strftime patterns for dates and times shown in replies.
format-date = %Y-%m-%d
format-time = %Y-%m-%d %H:%M
whoami =
    You are user <code>{ $id }</code>, language: English, allowed.
    Active project: { $project }
whoami-no-project = none
dismissed = OK, nothing changed.
outsider = Sorry, Radar is private. Your Telegram id is <code>{ $id }</code>: ask the owner to add it to RADAR_ALLOWED_USERS.
error-unavailable = Sorry, I couldn't do that right now: the database is not answering. Please try again in a minute.
error-internal = Sorry, something went wrong on my side and the command was not applied. The operator can see the details in the log.

## Projects

projects-none = No projects yet. Create one: /newproject NAME
projects-title = <b>Projects</b>
projects-item = • <b>{ $name }</b>
projects-item-archived = • <b>{ $name }</b> (archived)
project-exists = Project <b>{ $name }</b> already exists. Nothing changed. Switch to it: /use { $name }
project-created = ✅ Created project <b>{ $name }</b>; it is now your active project. Add a feature: /add NAME
project-already-active = You are already in <b>{ $name }</b>.
project-switched = Switched to <b>{ $name }</b>.
project-switched-archived = Switched to <b>{ $name }</b>. It is archived: read only.
project-already-archived = Project <b>{ $name }</b> is already archived. Nothing changed.
project-archived = 🗄 Archived project <b>{ $name }</b>. /undo brings it back.

## Features

feature-exists = { $feature } already exists ({ $status }). Nothing changed.
feature-added = ➕ Added { $feature } ({ $status }).
features-title-all = <b>All features</b>
features-title-open = <b>Open features</b>
features-title-status = <b>Features: { $status }</b>
# A list's title and how many features it shows.
features-heading =
    { $title } ({ $count ->
        [one] { $count } feature
       *[other] { $count } features
    })
features-none-status = None. All features: /features all
# The project has no feature at all.
features-none-yet = None yet. Add one: /add NAME
# No open feature, but some are done or cancelled.
features-none-open =
    No open features: { $cancelled ->
        [0] { $done ->
            [one] the only one is done. See it: /features all
           *[other] all { $done } are done. See them: /features all
        }
       *[other] { $done } done, { $cancelled } cancelled. See them: /features all
    }
feature-status = Status: { $status }
feature-description = Description: { $text }
feature-teams = Teams: { $teams }
feature-po = PO: { $po }
feature-release = Release: { $release }
feature-dates = Created { $created }, updated { $updated }
feature-status-same = { $feature } is already { $status }. Nothing changed.
feature-in-project = (in project <b>{ $name }</b>)
field-same = { $feature }: { $field } is already «{ $value }». Nothing changed.
field-changed = ✏️ { $feature }: { $field } { $before } → { $after }
delete-confirm = Delete { $feature }? Press the button, or type <code>/delete { $number } yes</code>. (/undo can bring it back.)
delete-button = 🗑 Yes, delete #{ $number }
delete-cancel-button = Cancel
feature-already-deleted = That feature is already deleted. Nothing changed.
feature-deleted = 🗑 Deleted { $feature }. /undo brings it back.

## Releases

release-exists = Release <b>{ $version }</b> already exists. Nothing changed.
release-created = 🚀 Created release <b>{ $version }</b>. Plan features into it: /plan N { $version }
release-created-for = 🚀 Created release <b>{ $version }</b> for { $date }. Plan features into it: /plan N { $version }
# Done and total planned features of a release, and the share done.
release-progress =
    { $done }/{ $total } { $total ->
        [one] feature
       *[other] features
    } done ({ $percent }%)
releases-none = No releases yet. Create one: /release 1.0 2026-12-01
releases-title = <b>Releases</b>
plan-already = { $feature } is already in release { $version }. Nothing changed.
plan-not-in-release = { $feature } is not in any release. Nothing changed.
planned = 🚀 { $feature } is planned into release <b>{ $version }</b>.
unplanned = { $feature } is no longer in release { $version }.
release-already-out = Release <b>{ $version }</b> is already out. Nothing changed.
release-shipped =
    🎉 Release <b>{ $version }</b> is out!
    { $progress }
release-not-done = Not done: { $features }

## History: what changed, a feature's history

changes-none = Nothing changed in <b>{ $project }</b> { $period }.
changes-title =
    <b>What changed { $period }</b> ({ $count ->
        [one] { $count } change
       *[other] { $count } changes
    })
changes-undone = • <s>{ $line }</s> — undone by { $who }
changes-limited = (only the latest { $count } are shown)
history-title = <b>History of { $feature }</b>
history-undone = • <s>{ $line }</s> (undone)

## Undo

undo-nothing = Nothing to undo.
undo-done = ↩️ Undone:

## Changes in words (what changed, history, undo)

entity-release = release { $version }
entity-project = project { $name }
entity-context = active project
change-created = created
change-deleted = deleted
change-switched = switched
change-undo-of = undo of: { $change }

## Periods ("what changed …")

period-last-24-hours = in the last 24 hours
period-today = today
period-yesterday = yesterday
period-this-week = this week
period-last-days =
    in the last { $days ->
        [one] { $days } day
       *[other] { $days } days
    }
period-since = since { $date }

## Refusals

reject-edited = ✏️ Edits are not applied. Send the corrected command as a new message.
reject-forwarded = ↪️ Forwarded messages are not executed. Send the command yourself.
reject-non-text = I only understand text commands. Try /help.
reject-no-project = No active project yet. Create one with /newproject NAME, or pick one: /projects
reject-archived = Project <b>{ $project }</b> is archived: it can be read but not changed. /undo the archiving to change it again.
reject-no-feature = There is no feature #{ $number } in { $project }. See /features all
reject-feature-gone = That feature no longer exists. Nothing changed.
reject-project-gone = That project no longer exists. See /projects
reject-unknown-project = There is no project «{ $name }». See /projects
reject-unknown-project-suggest = There is no project «{ $name }». Did you mean: { $suggestions }?
reject-unknown-release = There is no release «{ $version }». Create it: /release { $version }
reject-known-releases = Releases: { $releases }
reject-undo-conflict = Can't undo «{ $title }: { $change }»: { $who } changed it since ({ $later }, { $time }). Nothing changed.
reject-undo-project-gone = Can't undo: its project no longer exists.
reject-undo-release-in-use = Can't undo creating release { $version }: features are planned into it. /unplan them first.
reject-undo-release-gone = Can't undo: that release no longer exists.
reject-undo-unreadable = Can't undo: the record of that change cannot be read. The operator can see the details in the log.
parse-empty = Send me a command, for example /help.
parse-unknown = I didn't understand that. Nothing changed. /help lists what I can do.
parse-unknown-command = I don't know the command { $command }. Nothing changed. See /help
parse-usage = Usage: <code>{ $usage }</code>
parse-bad-number = «{ $text }» is not a feature number. Features are numbered #1, #2, …
parse-bad-status = I don't know the status «{ $text }». Statuses: { $statuses }.
parse-bad-date = «{ $text }» is not a valid date. Use YYYY-MM-DD, for example 2026-12-01.
parse-bad-period = I don't understand the period «{ $text }». Try: today, yesterday, this week, in the last 3 days, since 2026-11-01.
parse-too-long =
    That { $what } is too long: at most { $max ->
        [one] { $max } character
       *[other] { $max } characters
    }. Nothing changed.
parse-bad-button = That button is no longer valid. Nothing changed.

## Labels: feature statuses, release and project statuses, field names

status-backlog = backlog
status-planned = planned
status-in-progress = in progress
status-blocked = blocked
status-done = done
status-cancelled = cancelled
release-status-planned = planned
release-status-in-progress = in progress
release-status-released = released
release-status-cancelled = cancelled
project-status-active = active
project-status-archived = archived
field-status = status
field-status-reason = reason
field-teams = teams
field-po = PO
field-description = description
field-name = name
field-release = release
field-version = version
field-target-date = target date
field-released-at = released at
field-other = field

## Help (/help, /start)

help =
    <b>Radar</b> keeps your projects, features and releases.

    <b>Projects</b>
    /projects — list, with switch buttons
    /newproject NAME[: description] — create (and switch to it)
    /use NAME — switch project
    /archive NAME — archive a project

    <b>Features</b>
    /add NAME[: description] — add a feature
    /features [STATUS|all] — list
    /feature N — show #N with a status picker
    /status N STATUS[: reason] — e.g. <code>#3 is blocked: waiting for keys</code>
    /team N TEAMS · /po N NAME · /describe N TEXT · /rename N NAME
    /delete N — delete (asks first)

    <b>Releases</b>
    /release VERSION [YYYY-MM-DD] — create
    /releases — list with progress
    /plan N VERSION · /unplan N
    /ship VERSION — mark as released

    <b>History</b>
    /changes [today|yesterday|this week|3 days|since 2026-11-01]
    /history N — history of #N
    /undo — undo your last change
    /whoami

    Statuses: backlog, planned, in progress, blocked, done, cancelled. Plain phrases work too: «switch to Apollo», «#3 is done», «what changed this week».
