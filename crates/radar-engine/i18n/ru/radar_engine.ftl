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
anonymous-admin = Radar не может понять, кто вы: вы пишете от имени группы (анонимный администратор). Отключите «Анонимность» в правах администратора, чтобы пользоваться Radar.
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
features-title-status = <b>{ $status ->
        [backlog] Фичи в бэклоге
        [planned] Запланированные фичи
        [in_progress] Фичи в работе
        [blocked] Заблокированные фичи
        [done] Готовые фичи
       *[cancelled] Отменённые фичи
    }</b>
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

release-exists = Релиз <b>{ $version }</b> уже есть. Ничего не изменилось. Перенести срок: /releasedate { $version } ДАТА
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
reject-not-utf8 = Не удалось прочитать эту строку: это не текст в UTF-8. Ничего не изменено; проверьте кодировку терминала или файла.
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

## The command language: questions, problems, buttons

ask-feature = Какую фичу вы имеете в виду под «{ $typed }»?
ask-feature-none = Не могу понять, что за фича «{ $typed }». Назовите её номером (#7) или полным названием.
ask-project = Какой проект вы имеете в виду под «{ $typed }»?
ask-pronoun = Что именно? Назовите: фичу — номером (#7) или названием, релиз — версией.
ask-release = Какой релиз?
ask-release-none = Какой релиз? В проекте их пока нет: /release ВЕРСИЯ
ask-same-for = То же, что и что? Предыдущую команду нельзя повторить для другой фичи.
ask-meaning = Вы имели в виду одно из этого?
ask-missing = Что именно? Например: <code>{ $usage }</code>
button-cancel = ✖️ Отмена
parse-unknown-suggest = Я не понял. Ничего не изменилось. Может быть, вы имели в виду:
parse-unknown-command-closest = Я не знаю команды { $command }. Может быть, { $closest }? Ничего не изменилось.
problem-unknown-feature = В проекте нет фичи «{ $typed }». Список: /features all
problem-unknown-feature-closest = Фичи «{ $typed }» нет. Ближе всего: { $closest }. Ничего не изменилось.
problem-control-characters = В названиях и текстах не может быть управляющих символов. Ничего не изменилось.
problem-invisible-name = В названии должна быть хотя бы одна видимая буква или цифра. Ничего не изменилось.
problem-unknown-zone = Я не знаю часового пояса «{ $zone }». Укажите, например, Europe/Moscow или город.
reject-release-shipped = Релиз <b>{ $version }</b> уже выпущен: его нельзя начать или отменить.
reject-project-name-taken = Проект <b>{ $name }</b> уже есть. Ничего не изменилось.
# О чём отказ «слишком длинно».
what =
    { $what ->
        [project-name] название проекта
        [feature-name] название фичи
        [version] версия
        [description] описание
        [reason] причина
        [team] название команды
       *[other] название
    }

## Проекты: из архива, переименование

project-not-archived = Проект <b>{ $name }</b> не в архиве. Ничего не изменилось.
project-unarchived = 📂 Проект <b>{ $name }</b> возвращён из архива. /undo — снова в архив.
project-name-same = Проект уже называется <b>{ $name }</b>. Ничего не изменилось.
project-renamed = ✏️ Проект <b>{ $before }</b> теперь называется <b>{ $name }</b>.

## Релизы: даты, старт, отмена

release-date-same = У релиза <b>{ $version }</b> уже срок { $date }. Ничего не изменилось.
release-date-set = 🗓 Релиз <b>{ $version }</b>: срок { $before } → <b>{ $date }</b>.
release-status-same = Релиз <b>{ $version }</b> уже { $status }. Ничего не изменилось.
release-started = 🏁 Релиз <b>{ $version }</b> в работе.
release-cancelled = ✖️ Релиз <b>{ $version }</b> отменён. Его фичи остаются в нём; уберите их (/unplan), если они переезжают.
features-title-release = <b>Фичи в релизе { $version }</b>
features-title-team = <b>Фичи команды { $team }</b>
features-title-po = <b>Фичи, где PO — { $po }</b>

## Справка (/help, /start), меню команд, таблица в README

help-intro = <b>Radar</b> ведёт ваши проекты, фичи и релизы. Пишите словами или командами, по-русски или по-английски.
help-outro =
    Статусы: бэклог, запланирована, в работе, заблокирована, готово, отменена.
    Можно и словами: «переключись на Аполлон», «#3 готово», «что изменилось за неделю». /help КОМАНДА — подробнее об одной.
help-examples = Понимаю и так: { $examples }
help-aliases = То же: { $aliases }
help-group-projects = Проекты
help-group-features = Фичи
help-group-releases = Релизы
help-group-history = История
help-group-insights = Аналитика
help-group-settings = Настройки
cmd-help = что я умею; /help КОМАНДА — про одну команду
cmd-help-examples = помощь · что ты умеешь? · как пользоваться
cmd-projects = список проектов с кнопками переключения
cmd-projects-examples = проекты · какие у меня проекты · список проектов
cmd-new_project = создать проект (и переключиться на него)
cmd-new_project-examples = создай проект Аполлон · новый проект Зевс — биллинг
cmd-use_project = переключить активный проект
cmd-use_project-examples = переключись на Аполлон · перейди в Гемини · работаем с Восходом
cmd-archive_project = отправить проект в архив (только чтение)
cmd-archive_project-examples = архивируй проект Гемини · Гемини в архив
cmd-unarchive_project = вернуть проект из архива
cmd-unarchive_project-examples = верни из архива Legacy CRM · разархивируй Legacy CRM
cmd-rename_project = переименовать проект (активный, если не назван)
cmd-rename_project-examples = переименуй Аполлон в Аполлон 2 · проект переименуй в Луна
cmd-add_feature = добавить фичу
cmd-add_feature-examples = добавь фичу Оплата · новая фича Поиск
cmd-features = список фич: открытые, все, или по статусу, релизу, команде, PO
cmd-features-examples = фичи · что в работе? · покажи заблокированные · фичи в релизе 2.1 · фичи команды Core
cmd-show_feature = показать фичу с выбором статуса
cmd-show_feature-examples = покажи #7 · что с оплатой? · #4 подробнее
cmd-set_status = поменять статус фичи
cmd-set_status-examples = #3 готово · оплата в работу · #4 заблокирована: ждём юристов · вторая в работу
cmd-assign_team = назначить фиче команды
cmd-assign_team-examples = назначь #3 команде Core · #6 команды Core и Mobile
cmd-assign_po = назначить PO фичи
cmd-assign_po-examples = #2 по Анна · за оплатой следит Борис
cmd-describe = описание фичи
cmd-describe-examples = опиши #2: регистрация по почте · #8 описание: поиск
cmd-rename_feature = переименовать фичу
cmd-rename_feature-examples = переименуй #3 в Платежи · назови личный кабинет «Профиль»
cmd-delete_feature = удалить фичу (с подтверждением; /undo вернёт)
cmd-delete_feature-examples = удали #12 · удали уведомления
cmd-new_release = создать релиз, с датой, если она есть
cmd-new_release-examples = создай релиз 2.2 на 15 января · новый релиз 3.1
cmd-releases = релизы и прогресс
cmd-releases-examples = релизы · какие есть релизы?
cmd-release_date = перенести срок релиза
cmd-release_date-examples = перенеси релиз 2.1 на 24 декабря · 3.0 к концу месяца
cmd-start_release = начать релиз (в работе)
cmd-start_release-examples = стартуем релиз 2.1 · запусти релиз 3.0
cmd-cancel_release = отменить релиз
cmd-cancel_release-examples = отмени релиз 3.0 · 3.0 отменяем
cmd-plan = добавить фичу в релиз
cmd-plan-examples = добавь #3 в релиз 2.1 · закинь оплату в 2.1
cmd-unplan = убрать фичу из релиза
cmd-unplan-examples = убери #3 из релиза · оплату выкинь из 2.1
cmd-ship = отметить релиз выпущенным
cmd-ship-examples = релиз 2.1 выпущен · выкатили 2.1
cmd-changes = что изменилось (по умолчанию — за сутки)
cmd-changes-examples = что изменилось сегодня · что нового · изменения за 3 дня
cmd-history = история фичи
cmd-history-examples = история #3 · история личного кабинета
cmd-undo = отменить последнее изменение (каждая отмена — на шаг назад)
cmd-undo-examples = отмени последнее · откати · верни как было
cmd-stats = метрики потока: пропускная способность, время цикла, в работе, блокеры, прогноз релизов
cmd-stats-examples = статистика · как у нас дела? · статистика за неделю
cmd-chart = график burn-up релиза
cmd-chart-examples = график релиза 2.1 · бёрнап 3.0
cmd-export = фичи и события проекта в CSV
cmd-export-examples = выгрузи · экспорт в csv
cmd-digest = ежедневная сводка в заданное время или выключить
cmd-digest-examples = присылай сводку в 9 · дайджест в 18:30 · выключи дайджест
cmd-timezone = ваш часовой пояс для дат и времени
cmd-timezone-examples = часовой пояс Москва · таймзона Europe/Berlin
cmd-lang = язык, на котором я отвечаю
cmd-lang-examples = язык английский · давай по-русски
cmd-whoami = кто вы для Radar
cmd-whoami-examples = кто я · мой id

## Usage of each command after its slash name (placeholders in capitals).
cmd-help-usage = [ТЕМА]
cmd-new_project-usage = НАЗВАНИЕ[: описание]
cmd-use_project-usage = НАЗВАНИЕ
cmd-archive_project-usage = НАЗВАНИЕ
cmd-unarchive_project-usage = НАЗВАНИЕ
cmd-rename_project-usage = [НАЗВАНИЕ в] НОВОЕ НАЗВАНИЕ
cmd-add_feature-usage = НАЗВАНИЕ[: описание]
cmd-features-usage = [СТАТУС|all|РЕЛИЗ|team КОМАНДА|po ИМЯ]
cmd-show_feature-usage = N
cmd-set_status-usage = N СТАТУС[: причина]
cmd-assign_team-usage = N КОМАНДЫ
cmd-assign_po-usage = N ИМЯ
cmd-describe-usage = N ТЕКСТ
cmd-rename_feature-usage = N НАЗВАНИЕ
cmd-delete_feature-usage = N
cmd-new_release-usage = ВЕРСИЯ [ДАТА]
cmd-release_date-usage = ВЕРСИЯ ДАТА
cmd-start_release-usage = ВЕРСИЯ
cmd-cancel_release-usage = ВЕРСИЯ
cmd-plan-usage = N ВЕРСИЯ
cmd-unplan-usage = N
cmd-ship-usage = ВЕРСИЯ
cmd-changes-usage = [ПЕРИОД]
cmd-history-usage = N
cmd-stats-usage = [ПЕРИОД]
cmd-chart-usage = ВЕРСИЯ
cmd-digest-usage = ЧЧ:ММ|off
cmd-timezone-usage = ЗОНА
cmd-lang-usage = en|ru|auto

## Настройки (/timezone, /lang, /digest), ежедневная сводка, страницы

entity-settings = ваши настройки
settings-default = по умолчанию
settings-off = выкл
settings-field-time-zone = часовой пояс
settings-field-language = язык
settings-field-digest = сводка
settings-time-zone-set = 🕘 Ваш часовой пояс теперь <b>{ $zone }</b> (там сейчас { $time }). «Сегодня», «эта неделя» и время в ответах — по нему.
settings-time-zone-same = 🕘 Ваш часовой пояс уже <b>{ $zone }</b> (там сейчас { $time }).
settings-language-set = 🗣 Буду отвечать вам по-русски.
settings-language-same = 🗣 Я уже отвечаю вам по-русски.
settings-language-auto = 🗣 Буду отвечать на языке вашего Telegram.
settings-digest-set = 📬 Каждый день в <b>{ $time }</b> ({ $zone }) пришлю сводку за вчера по активному проекту (если ничего не менялось — не пришлю). /digest off — выключить.
settings-digest-same = 📬 Ежедневная сводка уже приходит в <b>{ $time }</b> ({ $zone }).
settings-digest-off = 📭 Ежедневная сводка выключена.
settings-digest-same-off = 📭 Ежедневная сводка уже выключена.
digest-title =
    📬 <b>Сводка за { $date }</b> ({ $count ->
        [one] { $count } изменение
        [few] { $count } изменения
        [many] { $count } изменений
       *[other] { $count } изменения
    })
digest-none = Сводки для пользователя { $user } нет: в активном проекте { $date } ничего не менялось.
digest-no-project = Сводки для пользователя { $user } нет: проект не выбран.
digest-more = …и ещё { $count }: /changes yesterday
page-of = Страница { $page } из { $pages }
page-prev = ◀ Назад
page-next = Дальше ▶
console-page-hint = (напишите «дальше» или «назад», чтобы листать)


## The board (Telegram Mini App)
board-title = Доска
board-no-project = Нет активного проекта. Выберите его выше или создайте в чате: /newproject НАЗВАНИЕ
board-empty-column = —
board-history = История
board-move-to = Перенести в
board-switch-project = Проект
board-close = Закрыть
board-teams = Команды
board-po = PO
board-release = Релиз
board-refused = Не сохранено
board-saving = Сохраняю…
board-not-authorized = Нет доступа. Откройте доску из меню бота в Telegram; если вы так и сделали, попросите администратора бота добавить ваш Telegram id в список допущенных.
board-open-button = 📋 Открыть доску

## Аналитика: метрики потока (/stats), график burn-up (/chart), выгрузка (/export)

stats-title = 📊 <b>Поток проекта { $project }</b> { $period } ({ $from } – { $to })
stats-done = Готово: <b>{ $count }</b> { $count ->
        [one] фича
        [few] фичи
        [many] фич
       *[other] фичи
    } ({ $per_week } в неделю)
stats-week = Н{ $week } ({ $monday }): { $count }
stats-weeks = По неделям ISO: { $weeks }
stats-cycle = Время цикла: медиана <b>{ $median }</b>, 85-й перцентиль { $p85 } (по { $count } { $count ->
        [one] фиче
       *[other] фичам
    })
stats-cycle-none = Время цикла: — (ни одна фича, готовая за период, не была до того в работе или запланирована)
stats-wip = В работе сейчас: <b>{ $count }</b>
stats-blocked-none = Заблокировано сейчас: нет
stats-blocked = Заблокировано сейчас: <b>{ $count }</b>
stats-releases = <b>Открытые релизы</b> (прогноз по темпу периода):
stats-release-line = 🚀 { $version }: готово { $done }/{ $total }
stats-target = срок { $date }
stats-forecast = прогноз: готов к { $date }
stats-forecast-none = прогноза нет (за период ничего не сделано)
stats-forecast-done = всё готово
stats-how = Как считается: /help stats
stats-days = { $days } дн.
# Строка метрик для ежедневной сводки (4 недели).
stats-line = 📊 4 недели: готово { $done } ({ $per_week }/нед.) · время цикла { $cycle } · в работе { $wip } · заблокировано { $blocked }
chart-title = Релиз { $version }: burn-up
chart-scope = объём (фичи в релизе)
chart-done = готово
chart-today = сегодня
chart-target = срок
chart-features = фичи
chart-date-format = %d.%m
chart-caption = 📈 Burn-up релиза <b>{ $version }</b> с { $from }: готово { $done } из { $scope }
export-features = 📤 Фичи проекта { $project }: { $count } { $count ->
        [one] строка
        [few] строки
        [many] строк
       *[other] строки
    } (CSV, UTF-8)
export-events = 📤 Журнал событий проекта { $project }: { $count } { $count ->
        [one] событие
        [few] события
        [many] событий
       *[other] события
    } (CSV, UTF-8)
cmd-stats-details =
    Как считается, по журналу событий (отменённые изменения не учитываются):
    • <b>Пропускная способность</b>: сколько фич готово за каждую неделю ISO (понедельник–воскресенье в вашем часовом поясе) периода (по умолчанию — последние 28 дней).
    • <b>Время цикла</b>: от первого перехода фичи «в работу» (или в «запланирована», если в работе она не была) до её последнего действующего «готово», в днях; медиана и 85-й перцентиль (по рангу). Фича, открытая заново и снова готовая, считается один раз — по последнему «готово».
    • <b>В работе</b> и <b>заблокировано</b>: сейчас; сколько заблокирована — с последнего «→ заблокирована».
    • <b>Прогноз</b> открытого релиза: не готовые фичи ÷ пропускная способность периода в день, от сегодня. Это прогноз, не обещание.
    • <b>Burn-up</b> (/chart ВЕРСИЯ): объём в день — фичи, входящие в релиз на конец дня (убранные из релиза, удалённые и отменённые выбывают); готово — те из них, что готовы.
