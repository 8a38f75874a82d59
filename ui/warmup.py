"""Loading the models in the background, and the page's status line that says how far it got."""

from __future__ import annotations

import logging
import threading

from bot.llm.client import BackendError
from bot.policy.chain import AnswerChain
from bot.schema import BotUnavailable
from ui.text import code_html

log = logging.getLogger(__name__)


class Warmup:
    """Loads the embedder, the index and the default backend (with its prompts evaluated) in a thread, so the
    first question is fast."""

    def __init__(self, chain: AnswerChain, backend: str) -> None:
        self.chain, self.engine, self.backend = chain, chain.engine, backend
        self.state, self.message = "loading", "正在加载模型 · loading models…"

    def start(self) -> None:
        threading.Thread(target=self._run, name="warmup", daemon=True).start()

    def _run(self) -> None:
        try:
            self.message = "正在加载模型 · loading the embedding model…"
            self.engine.embedder  # noqa: B018 - loads on first access
            self.message = "正在打开索引 · opening the index…"
            self.engine.searcher  # noqa: B018
            if self.backend != "extractive":
                self.message = f"正在加载模型 · loading the {self.backend} model…"
                self.chain.warm_up(self.backend)
        except BotUnavailable as err:
            self.state, self.message = "error", str(err)
        except BackendError as err:
            self.state = "degraded"
            self.message = f"就绪 · ready; the {self.backend} backend is unavailable ({err}), answers are extractive"
        except Exception as err:  # noqa: BLE001 - shown to the user; the chat reports errors per question too
            log.exception("warm-up failed")
            self.state, self.message = "error", f"loading failed: {err}"
        else:
            self.state, self.message = "ready", f"就绪 · ready ({self.backend})"

    def html(self) -> str:
        text = code_html(self.message)
        return f'<span class="zz-status {self.state}" id="zz-status" data-state="{self.state}">{text}</span>'
