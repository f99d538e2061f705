"""The smallest external bot `radar-bench e2e --bot-cmd` can drive: long-polls getUpdates and
answers every text message with one sendMessage naming it (reply_parameters), standard library
only. Reads TELEGRAM_API_URL and TELEGRAM_BOT_TOKEN (see `radar-bench e2e --help`).
It is the smoke test's external bot and an example of the contract, not a yardstick.
`--twice` answers every message twice (the smoke test checks that the driver notices)."""
import http.client
import json
import os
import sys
import urllib.parse

api = urllib.parse.urlsplit(os.environ["TELEGRAM_API_URL"])
token = os.environ["TELEGRAM_BOT_TOKEN"]
times = 2 if "--twice" in sys.argv[1:] else 1
conn = http.client.HTTPConnection(api.hostname, api.port, timeout=60)


def call(method, payload):
    body = json.dumps(payload).encode()
    conn.request("POST", f"/bot{token}/{method}", body, {"Content-Type": "application/json"})
    answer = json.loads(conn.getresponse().read())
    if not answer.get("ok"):
        print(f"{method}: {answer}", file=sys.stderr, flush=True)
    return answer


offset = 0
while True:
    for update in call("getUpdates", {"offset": offset, "timeout": 10}).get("result", []):
        offset = max(offset, update["update_id"] + 1)
        message = update.get("message")
        if message and "text" in message:
            for _ in range(times):
                call("sendMessage", {"chat_id": message["chat"]["id"],
                                     "text": "ok: " + message["text"][:100],
                                     "reply_parameters": {"message_id": message["message_id"]}})
