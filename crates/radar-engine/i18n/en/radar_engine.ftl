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
anonymous-admin = Radar cannot tell who you are: you are posting as the group (an anonymous admin). Turn off "Remain anonymous" in the group's admin rights to use Radar.
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
features-title-status = <b>{ $status ->
        [backlog] Features in the backlog
        [planned] Planned features
        [in_progress] Features in progress
        [blocked] Blocked features
        [done] Done features
       *[cancelled] Cancelled features
    }</b>
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

release-exists = Release <b>{ $version }</b> already exists. Nothing changed. To move its date: /releasedate { $version } DATE
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
reject-not-utf8 = I could not read that line: it is not UTF-8 text. Nothing was changed; check the encoding of your terminal or file.
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

## The command language: questions, problems, buttons

ask-feature = Which feature do you mean by «{ $typed }»?
ask-feature-none = I can't tell which feature «{ $typed }» is. Name it by its number (#7) or its full name.
ask-project = Which project do you mean by «{ $typed }»?
ask-pronoun = Which one do you mean? Name it: a feature by its number (#7) or name, a release by its version.
ask-release = Which release?
ask-release-none = Which release? There is none in this project yet: /release VERSION
ask-same-for = Same as what? Your previous command can't be repeated for another feature.
ask-meaning = Did you mean one of these?
ask-missing = What exactly? For example: <code>{ $usage }</code>
button-cancel = ✖️ Cancel
parse-unknown-suggest = I didn't understand that. Nothing changed. Did you mean:
parse-unknown-command-closest = I don't know the command { $command }. Did you mean { $closest }? Nothing changed.
problem-unknown-feature = There is no feature «{ $typed }» in this project. See /features all
problem-unknown-feature-closest = There is no feature «{ $typed }». The closest: { $closest }. Nothing changed.
problem-control-characters = Names and texts cannot contain control characters. Nothing changed.
problem-invisible-name = A name needs at least one visible letter or digit. Nothing changed.
problem-unknown-zone = I don't know the time zone «{ $zone }». Use a name like Europe/Berlin or a city.
reject-release-shipped = Release <b>{ $version }</b> is already out: it can't be started or cancelled.
reject-project-name-taken = There is already a project called <b>{ $name }</b>. Nothing changed.
# What a "too long" refusal is about.
what =
    { $what ->
        [project-name] project name
        [feature-name] feature name
        [version] version
        [description] description
        [reason] reason
        [team] team name
       *[other] name
    }

## Projects: unarchive, rename

project-not-archived = Project <b>{ $name }</b> is not archived. Nothing changed.
project-unarchived = 📂 Project <b>{ $name }</b> is back from the archive. /undo archives it again.
project-name-same = The project is already called <b>{ $name }</b>. Nothing changed.
project-renamed = ✏️ Project <b>{ $before }</b> is now <b>{ $name }</b>.

## Releases: dates, start, cancel

release-date-same = Release <b>{ $version }</b> is already due { $date }. Nothing changed.
release-date-set = 🗓 Release <b>{ $version }</b>: target date { $before } → <b>{ $date }</b>.
release-status-same = Release <b>{ $version }</b> is already { $status }. Nothing changed.
release-started = 🏁 Release <b>{ $version }</b> is in progress.
release-cancelled = ✖️ Release <b>{ $version }</b> is cancelled. Its features stay planned into it; /unplan them if they move on.
features-title-release = <b>Features in release { $version }</b>
features-title-team = <b>Features of team { $team }</b>
features-title-po = <b>Features owned by { $po }</b>

## Help (/help, /start), the command menu, the README table

help-intro = <b>Radar</b> keeps your projects, features and releases. Write plain words or commands, in English or Russian.
help-outro =
    Statuses: backlog, planned, in progress, blocked, done, cancelled.
    Plain phrases work too: «switch to Apollo», «#3 is done», «what changed this week». /help COMMAND tells more about one.
help-examples = Also understood: { $examples }
help-aliases = Same as: { $aliases }
help-group-projects = Projects
help-group-features = Features
help-group-releases = Releases
help-group-history = History
help-group-insights = Insights
help-group-settings = Settings
cmd-help = what I can do; /help COMMAND for one command
cmd-help-examples = help · what can you do? · how does this work
cmd-projects = list projects, with switch buttons
cmd-projects-examples = projects · show my projects · which projects do I have
cmd-new_project = create a project (and switch to it)
cmd-new_project-examples = new project Apollo: moon app · create project Hermes
cmd-use_project = switch the active project
cmd-use_project-examples = switch to Apollo · jump to Gemini · open Voskhod
cmd-archive_project = archive a project (read only)
cmd-archive_project-examples = archive project Gemini · put Gemini in the archive
cmd-unarchive_project = bring a project back from the archive
cmd-unarchive_project-examples = unarchive Legacy CRM · restore Legacy CRM from archive
cmd-rename_project = rename a project (the active one unless named)
cmd-rename_project-examples = rename project Apollo to Apollo 2 · Apollo is now called Apollo Next
cmd-add_feature = add a feature
cmd-add_feature-examples = add feature Login · new feature Refunds: money back · add Search
cmd-features = list features: open ones, all, or by status, release, team, PO
cmd-features-examples = features · what's in progress? · anything blocked? · features in 2.1 · Anna's features
cmd-show_feature = show a feature, with a status picker
cmd-show_feature-examples = show #7 · what's the status of dark mode? · #4 details
cmd-set_status = set a feature's status
cmd-set_status-examples = #3 is done · mark signup as blocked: waiting for legal · start #7 · done #8
cmd-assign_team = assign teams to a feature
cmd-assign_team-examples = assign #3 to team Core · #6 teams Core, Mobile
cmd-assign_po = set a feature's PO
cmd-assign_po-examples = PO of #2 is Anna · Anna owns signup · #9 owner Boris
cmd-describe = set a feature's description
cmd-describe-examples = #8 description: full-text search · describe search: full-text search
cmd-rename_feature = rename a feature
cmd-rename_feature-examples = rename #4 to Payments v2 · call dark mode Theme switcher
cmd-delete_feature = delete a feature (asks first; /undo brings it back)
cmd-delete_feature-examples = delete #12 · remove admin panel
cmd-new_release = create a release, with a target date if you have one
cmd-new_release-examples = new release 2.2 on jan 15 · create release 3.1
cmd-releases = list releases with progress
cmd-releases-examples = releases · when's the next release?
cmd-release_date = move a release's target date
cmd-release_date-examples = move 2.1 to dec 24 · 3.0 due end of month
cmd-start_release = start a release (in progress)
cmd-start_release-examples = start release 2.1 · kick off 2.1
cmd-cancel_release = cancel a release
cmd-cancel_release-examples = cancel release 3.0 · scrap 3.0
cmd-plan = plan a feature into a release
cmd-plan-examples = put #3 into 2.1 · signup → 2.1 · #7 in 2.1
cmd-unplan = take a feature out of its release
cmd-unplan-examples = take payments out of 2.1 · #3 out of release
cmd-ship = mark a release as released
cmd-ship-examples = ship 2.1 · 2.1 is live · we shipped 2.1
cmd-changes = what changed (default: the last 24 hours)
cmd-changes-examples = what changed today · what happened this week · changes since monday
cmd-history = a feature's history
cmd-history-examples = history of #3 · #7 history · login history
cmd-undo = undo your last change (each undo goes one step further back)
cmd-undo-examples = undo · revert that · oops, roll that back
cmd-stats = flow metrics: throughput, cycle time, work in progress, blocked, release forecasts
cmd-stats-examples = stats · how are we doing? · stats this week
cmd-chart = a release's burn-up chart
cmd-chart-examples = chart 2.1 · burn-up for 2.1
cmd-export = the project's features and events as CSV files
cmd-export-examples = export · export everything to csv
cmd-digest = a daily digest at a time of day, or off
cmd-digest-examples = digest at 9:00 · send me a digest every morning at 8:30 · turn off the digest
cmd-timezone = your time zone for dates and times
cmd-timezone-examples = timezone Europe/Berlin · I'm on Moscow time
cmd-lang = the language I answer in
cmd-lang-examples = lang ru · reply in english
cmd-whoami = who you are to Radar
cmd-whoami-examples = who am I · /whoami

## Usage of each command after its slash name (placeholders in capitals).
cmd-help-usage = [TOPIC]
cmd-new_project-usage = NAME[: description]
cmd-use_project-usage = NAME
cmd-archive_project-usage = NAME
cmd-unarchive_project-usage = NAME
cmd-rename_project-usage = [NAME to] NEW NAME
cmd-add_feature-usage = NAME[: description]
cmd-features-usage = [STATUS|all|RELEASE|team NAME|po NAME]
cmd-show_feature-usage = N
cmd-set_status-usage = N STATUS[: reason]
cmd-assign_team-usage = N TEAMS
cmd-assign_po-usage = N NAME
cmd-describe-usage = N TEXT
cmd-rename_feature-usage = N NAME
cmd-delete_feature-usage = N
cmd-new_release-usage = VERSION [DATE]
cmd-release_date-usage = VERSION DATE
cmd-start_release-usage = VERSION
cmd-cancel_release-usage = VERSION
cmd-plan-usage = N VERSION
cmd-unplan-usage = N
cmd-ship-usage = VERSION
cmd-changes-usage = [PERIOD]
cmd-history-usage = N
cmd-stats-usage = [PERIOD]
cmd-chart-usage = VERSION
cmd-digest-usage = HH:MM|off
cmd-timezone-usage = ZONE
cmd-lang-usage = en|ru|auto

## Settings (/timezone, /lang, /digest), the daily digest, pages

entity-settings = your settings
settings-default = default
settings-off = off
settings-field-time-zone = time zone
settings-field-language = language
settings-field-digest = digest
settings-time-zone-set = 🕘 Your time zone is now <b>{ $zone }</b> (it is { $time } there). "Today", "this week" and the times I show follow it.
settings-time-zone-same = 🕘 Your time zone is already <b>{ $zone }</b> (it is { $time } there).
settings-language-set = 🗣 I'll answer you in English.
settings-language-same = 🗣 I already answer you in English.
settings-language-auto = 🗣 I'll answer in your Telegram app's language.
settings-digest-set = 📬 Every day at <b>{ $time }</b> ({ $zone }) I'll send you a digest of the day before in your active project (nothing when nothing changed). /digest off stops it.
settings-digest-same = 📬 Your daily digest is already at <b>{ $time }</b> ({ $zone }).
settings-digest-off = 📭 The daily digest is off.
settings-digest-same-off = 📭 The daily digest is already off.
digest-title =
    📬 <b>Digest for { $date }</b> ({ $count ->
        [one] { $count } change
       *[other] { $count } changes
    })
digest-none = No digest for user { $user }: nothing changed in their active project on { $date }.
digest-no-project = No digest for user { $user }: no active project.
digest-more = …and { $count } more: /changes yesterday
page-of = Page { $page } of { $pages }
page-prev = ◀ Back
page-next = Next ▶
console-page-hint = (type "next" or "back" to turn the page)


## The board (Telegram Mini App)
board-title = Board
board-no-project = No active project. Pick one above, or create one in the chat: /newproject NAME
board-empty-column = —
board-history = History
board-move-to = Move to
board-switch-project = Project
board-close = Close
board-teams = Teams
board-po = PO
board-release = Release
board-refused = Not saved
board-saving = Saving…
board-not-authorized = Not authorized. Open the board from the bot's menu in Telegram; if you did, ask the bot's operator to add your Telegram id to the allowlist.
board-open-button = 📋 Open board

## Insights: flow metrics (/stats), burn-up chart (/chart), export (/export)

stats-title = 📊 <b>Flow of { $project }</b> { $period } ({ $from } – { $to })
stats-done = Done: <b>{ $count }</b> { $count ->
        [one] feature
       *[other] features
    } ({ $per_week } a week)
stats-week = W{ $week } ({ $monday }): { $count }
stats-weeks = Per ISO week: { $weeks }
stats-cycle = Cycle time: median <b>{ $median }</b>, 85th percentile { $p85 } (over { $count } { $count ->
        [one] feature
       *[other] features
    })
stats-cycle-none = Cycle time: — (no feature done in this period was in progress or planned before)
stats-wip = In progress now: <b>{ $count }</b>
stats-blocked-none = Blocked now: none
stats-blocked = Blocked now: <b>{ $count }</b>
stats-releases = <b>Open releases</b> (forecast at this period's pace):
stats-release-line = 🚀 { $version }: { $done }/{ $total } done
stats-target = target { $date }
stats-forecast = forecast: done by { $date }
stats-forecast-none = forecast: none (nothing was done in this period)
stats-forecast-done = all done
stats-how = How these are counted: /help stats
stats-days = { $days } d
# The digest's metrics line (last 4 weeks).
stats-line = 📊 4 weeks: { $done } done ({ $per_week }/week) · cycle time { $cycle } · { $wip } in progress · { $blocked } blocked
chart-title = Release { $version }: burn-up
chart-scope = scope (planned features)
chart-done = done
chart-today = today
chart-target = target
chart-features = features
chart-date-format = %b %d
chart-caption = 📈 Burn-up of release <b>{ $version }</b> since { $from }: { $done } of { $scope } done
export-features = 📤 Features of { $project }: { $count } { $count ->
        [one] row
       *[other] rows
    } (CSV, UTF-8)
export-events = 📤 Event log of { $project }: { $count } { $count ->
        [one] event
       *[other] events
    } (CSV, UTF-8)
cmd-stats-details =
    How it is counted, from the event log (undone changes do not count):
    • <b>Throughput</b>: features done per ISO week (Monday–Sunday in your time zone) of the period (default: the last 28 days).
    • <b>Cycle time</b>: from the first time a feature entered “in progress” (or “planned” if it never was in progress) to its latest “done” still in effect, in days; median and 85th percentile (nearest rank). A feature reopened and done again counts once, at its latest done.
    • <b>In progress</b> and <b>blocked</b>: now; blocked for: since the latest “→ blocked”.
    • <b>Forecast</b> of an open release: features not done yet ÷ the period's throughput per day, from today. A forecast, not a promise.
    • <b>Burn-up</b> (/chart VERSION): scope on a day is the features planned into the release at the end of that day (unplanned, deleted and cancelled ones leave it); done is those of them done.
