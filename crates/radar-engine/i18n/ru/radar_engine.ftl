### Ответы Radar по-русски. Те же идентификаторы и те же переменные, что в
### английском файле (i18n/en/radar_engine.ftl) — это проверяет тест в
### src/messages.rs.
###
### Ответы — HTML для Telegram: разметка (<b>, <code>, <i>, <s>) здесь.
### Переменные с текстом пользователя приходят уже экранированными. Числа —
### числа, поэтому `{ $count -> [one] … [few] … [many] … *[other] … }`
### выбирает форму по правилам CLDR: one — 1, 21, 31…; few — 2–4, 22–24…;
### many — 0, 5–20, 25…; other — дробные.

## Строка контекста, люди, даты

context-project = 📁 Контекст: Проект <b>{ $name }</b>
context-none = 📁 Контекст: проект не выбран
who-you = вы
who-user = пользователь { $id }
# Шаблоны chrono (strftime) для дат и времени в ответах.
format-date = %d.%m.%Y
format-time = %d.%m.%Y %H:%M
whoami =
    Вы — пользователь <code>{ $id }</code>, язык: русский, доступ есть.
    Активный проект: { $project }
whoami-no-project = не выбран
dismissed = Хорошо, ничего не меняю.
outsider = Извините, Radar — закрытый бот. Ваш id в Telegram: <code>{ $id }</code>. Попросите владельца добавить его в RADAR_ALLOWED_USERS.
error-unavailable = Извините, сейчас не получилось: база данных не отвечает. Попробуйте через минуту.
error-internal = Извините, у меня что-то сломалось, и команда не выполнена. Подробности — в журнале у оператора.

## Проекты

projects-none = Проектов пока нет. Создайте: /newproject НАЗВАНИЕ
projects-title = <b>Проекты</b>
projects-item = • <b>{ $name }</b>
projects-item-archived = • <b>{ $name }</b> (в архиве)
project-exists = Проект <b>{ $name }</b> уже есть. Ничего не изменилось. Переключиться: /use { $name }
project-created = ✅ Создан проект <b>{ $name }</b>, он теперь активный. Добавьте фичу: /add НАЗВАНИЕ
project-already-active = Вы уже в проекте <b>{ $name }</b>.
project-switched = Переключился на <b>{ $name }</b>.
project-switched-archived = Переключился на <b>{ $name }</b>. Он в архиве: только чтение.
project-already-archived = Проект <b>{ $name }</b> уже в архиве. Ничего не изменилось.
project-archived = 🗄 Проект <b>{ $name }</b> в архиве. Вернуть: /undo

## Фичи

feature-exists = { $feature } уже есть ({ $status }). Ничего не изменилось.
feature-added = ➕ Добавлена фича { $feature } ({ $status }).
features-title-all = <b>Все фичи</b>
features-title-open = <b>Открытые фичи</b>
features-title-status = <b>Фичи: { $status }</b>
# Заголовок списка и сколько в нём фич.
features-heading =
    { $title } ({ $count ->
        [one] { $count } фича
        [few] { $count } фичи
        [many] { $count } фич
       *[other] { $count } фичи
    })
features-none-status = Таких нет. Все фичи: /features all
# В проекте нет ни одной фичи.
features-none-yet = Пока нет. Добавьте: /add НАЗВАНИЕ
# Открытых нет, но есть готовые или отменённые.
features-none-open =
    Открытых фич нет: { $cancelled ->
        [0] { $done ->
            [1] единственная фича готова. Посмотреть: /features all
            [one] все { $done } фича готова. Посмотреть: /features all
            [few] все { $done } фичи готовы. Посмотреть: /features all
            [many] все { $done } фич готовы. Посмотреть: /features all
           *[other] все { $done } фичи готовы. Посмотреть: /features all
        }
       *[other] готово { $done }, отменено { $cancelled }. Посмотреть: /features all
    }
feature-status = Статус: { $status }
feature-description = Описание: { $text }
feature-teams = Команды: { $teams }
feature-po = PO: { $po }
feature-release = Релиз: { $release }
feature-dates = Создана { $created }, изменена { $updated }
feature-status-same = { $feature } уже в статусе «{ $status }». Ничего не изменилось.
feature-in-project = (в проекте <b>{ $name }</b>)
field-same = { $feature }: { $field } уже «{ $value }». Ничего не изменилось.
field-changed = ✏️ { $feature }: { $field } { $before } → { $after }
delete-confirm = Удалить { $feature }? Нажмите кнопку или напишите <code>/delete { $number } да</code>. (Вернуть можно через /undo.)
delete-button = 🗑 Да, удалить #{ $number }
delete-cancel-button = Отмена
feature-already-deleted = Эта фича уже удалена. Ничего не изменилось.
feature-deleted = 🗑 Фича { $feature } удалена. Вернуть: /undo

## Релизы

release-exists = Релиз <b>{ $version }</b> уже есть. Ничего не изменилось.
release-created = 🚀 Создан релиз <b>{ $version }</b>. Добавьте фичи: /plan N { $version }
release-created-for = 🚀 Создан релиз <b>{ $version }</b> на { $date }. Добавьте фичи: /plan N { $version }
# Готово из всех запланированных фич релиза, и доля готовых.
release-progress =
    готово { $done }/{ $total } { $total ->
        [one] фичи
        [few] фич
        [many] фич
       *[other] фичи
    } ({ $percent }%)
releases-none = Релизов пока нет. Создайте: /release 1.0 2026-12-01
releases-title = <b>Релизы</b>
plan-already = { $feature } уже в релизе { $version }. Ничего не изменилось.
plan-not-in-release = { $feature } не входит ни в один релиз. Ничего не изменилось.
planned = 🚀 { $feature } добавлена в релиз <b>{ $version }</b>.
unplanned = { $feature } убрана из релиза { $version }.
release-already-out = Релиз <b>{ $version }</b> уже выпущен. Ничего не изменилось.
release-shipped =
    🎉 Релиз <b>{ $version }</b> выпущен!
    { $progress }
release-not-done = Не готово: { $features }

## История: что изменилось, история фичи

changes-none = В проекте <b>{ $project }</b> ничего не менялось { $period }.
changes-title =
    <b>Что изменилось { $period }</b> ({ $count ->
        [one] { $count } изменение
        [few] { $count } изменения
        [many] { $count } изменений
       *[other] { $count } изменения
    })
changes-undone = • <s>{ $line }</s> — отменено ({ $who })
changes-limited = (показаны последние { $count })
history-title = <b>История { $feature }</b>
history-undone = • <s>{ $line }</s> (отменено)

## Отмена

undo-nothing = Отменять нечего.
undo-done = ↩️ Отменено:

## Изменения словами (что изменилось, история, отмена)

entity-release = релиз { $version }
entity-project = проект { $name }
entity-context = активный проект
change-created = создано
change-deleted = удалено
change-switched = переключение
change-undo-of = отмена: { $change }

## Периоды («что изменилось …»)

period-last-24-hours = за последние 24 часа
period-today = сегодня
period-yesterday = вчера
period-this-week = на этой неделе
period-last-days =
    { $days ->
        [1] за последний { $days } день
        [one] за последние { $days } день
        [few] за последние { $days } дня
        [many] за последние { $days } дней
       *[other] за последние { $days } дня
    }
period-since = с { $date }

## Отказы

reject-edited = ✏️ Правки сообщений не применяются. Отправьте исправленную команду новым сообщением.
reject-forwarded = ↪️ Пересланные сообщения не выполняются. Отправьте команду сами.
reject-non-text = Я понимаю только текстовые команды. Попробуйте /help.
reject-no-project = Проект не выбран. Создайте его: /newproject НАЗВАНИЕ — или выберите: /projects
reject-archived = Проект <b>{ $project }</b> в архиве: его можно смотреть, но не менять. Чтобы вернуть, отмените архивацию (/undo).
reject-no-feature = В проекте { $project } нет фичи #{ $number }. Список: /features all
reject-feature-gone = Этой фичи больше нет. Ничего не изменилось.
reject-project-gone = Этого проекта больше нет. Список: /projects
reject-unknown-project = Проекта «{ $name }» нет. Список: /projects
reject-unknown-project-suggest = Проекта «{ $name }» нет. Может быть, вы имели в виду: { $suggestions }?
reject-unknown-release = Релиза «{ $version }» нет. Создайте: /release { $version }
reject-known-releases = Релизы: { $releases }
reject-undo-conflict = Нельзя отменить «{ $title }: { $change }»: потом это изменил(а) { $who } ({ $later }, { $time }). Ничего не изменилось.
reject-undo-project-gone = Нельзя отменить: проекта больше нет.
reject-undo-release-in-use = Нельзя отменить создание релиза { $version }: в нём есть фичи. Сначала уберите их (/unplan).
reject-undo-release-gone = Нельзя отменить: этого релиза больше нет.
reject-undo-unreadable = Нельзя отменить: запись об этом изменении не читается. Подробности — в журнале у оператора.
parse-empty = Отправьте команду, например /help.
parse-unknown = Я не понял. Ничего не изменилось. Что я умею: /help
parse-unknown-command = Я не знаю команды { $command }. Ничего не изменилось. Список: /help
parse-usage = Формат: <code>{ $usage }</code>
parse-bad-number = «{ $text }» — не номер фичи. Фичи нумеруются #1, #2, …
parse-bad-status = Я не знаю статуса «{ $text }». Статусы: { $statuses }.
parse-bad-date = «{ $text }» — неверная дата. Используйте ДД.ММ.ГГГГ, например 01.12.2026.
parse-bad-period = Я не понял период «{ $text }». Например: сегодня, вчера, за неделю, за 3 дня, с 01.11.2026.
parse-too-long =
    Слишком длинно ({ $what }): не больше { $max ->
        [one] { $max } символа
        [few] { $max } символов
        [many] { $max } символов
       *[other] { $max } символа
    }. Ничего не изменилось.
parse-bad-button = Эта кнопка больше не действует. Ничего не изменилось.

## Подписи: статусы фич, статусы релизов и проектов, названия полей

status-backlog = бэклог
status-planned = запланирована
status-in-progress = в работе
status-blocked = заблокирована
status-done = готово
status-cancelled = отменена
release-status-planned = запланирован
release-status-in-progress = в работе
release-status-released = выпущен
release-status-cancelled = отменён
project-status-active = активен
project-status-archived = в архиве
field-status = статус
field-status-reason = причина
field-teams = команды
field-po = PO
field-description = описание
field-name = название
field-release = релиз
field-version = версия
field-target-date = срок
field-released-at = дата выпуска
field-other = поле

## Справка (/help, /start)

help =
    <b>Radar</b> ведёт ваши проекты, фичи и релизы.

    <b>Проекты</b>
    /projects — список с кнопками переключения
    /newproject НАЗВАНИЕ[: описание] — создать (и переключиться)
    /use НАЗВАНИЕ — переключиться
    /archive НАЗВАНИЕ — в архив

    <b>Фичи</b>
    /add НАЗВАНИЕ[: описание] — добавить фичу
    /features [СТАТУС|all] — список
    /feature N — показать #N с выбором статуса
    /status N СТАТУС[: причина] — например <code>#3 заблокирована: ждём ключи</code>
    /team N КОМАНДЫ · /po N ИМЯ · /describe N ТЕКСТ · /rename N НАЗВАНИЕ
    /delete N — удалить (с подтверждением)

    <b>Релизы</b>
    /release ВЕРСИЯ [ДАТА] — создать
    /releases — список с прогрессом
    /plan N ВЕРСИЯ · /unplan N
    /ship ВЕРСИЯ — релиз выпущен

    <b>История</b>
    /changes [сегодня|вчера|за неделю|за 3 дня|с 01.11.2026]
    /history N — история #N
    /undo — отменить последнее изменение
    /whoami

    Статусы: бэклог, запланирована, в работе, заблокирована, готово, отменена. Можно и словами: «переключись на Аполлон», «#3 готово», «что изменилось за неделю».
