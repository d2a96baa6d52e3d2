"""Amazon Bedrock through boto3's `bedrock-runtime`: chat and completions with Converse
(`converse` / `converse_stream`), embeddings with `invoke_model` (Titan or Cohere bodies, picked
by the model id). Credentials: access keys, an assumed role (renewed before it expires) or the
default chain; `aws_config.endpoint_url` points the client elsewhere (a VPC endpoint, a test).
boto3 is blocking, so calls run in worker threads.
"""

import asyncio
import json
import threading
import time

from runtime.gateway.errors import GatewayError
from runtime.gateway.providers.base import (
    Provider, chat_chunk, chat_response, completions_chunk, completions_response, embeddings_response, usage,
)

_FINISH = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length", "tool_use": "tool_calls",
           "content_filtered": "content_filter", "guardrail_intervened": "content_filter"}
_SECRETS = frozenset({"aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_bearer_token"})


def converse_arguments(model, kind, payload):
    """The keyword arguments of `converse` for a checked chat or completions payload (pure)."""
    messages = payload["messages"] if kind == "chat" else [{"role": "user", "content": payload["prompt"]}]
    system, converted = [], []
    for message in messages:
        content = message.get("content")
        text = content if isinstance(content, str) else "".join(p.get("text", "") for p in content or [])
        if message.get("role") == "system":
            system.append({"text": text})
        elif message.get("role") == "tool":
            converted.append({"role": "user", "content": [{"toolResult": {
                "toolUseId": message.get("tool_call_id"), "content": [{"text": text}]}}]})
        elif message.get("role") == "assistant" and message.get("tool_calls"):
            blocks = [{"text": text}] if text else []
            blocks += [{"toolUse": {"toolUseId": c.get("id"), "name": c["function"]["name"],
                                    "input": json.loads(c["function"].get("arguments") or "{}")}}
                       for c in message["tool_calls"]]
            converted.append({"role": "assistant", "content": blocks})
        else:
            converted.append({"role": message.get("role"), "content": [{"text": text}]})
    arguments = {"modelId": model, "messages": converted}
    if system:
        arguments["system"] = system
    inference = {}
    for source, target in (("temperature", "temperature"), ("top_p", "topP"), ("max_tokens", "maxTokens"), ("stop", "stopSequences")):
        if payload.get(source) is not None:
            inference[target] = payload[source]
    if inference:
        arguments["inferenceConfig"] = inference
    if payload.get("tools"):
        arguments["toolConfig"] = {"tools": [{"toolSpec": {
            "name": t["function"]["name"], "description": t["function"].get("description") or t["function"]["name"],
            "inputSchema": {"json": t["function"].get("parameters") or {"type": "object"}}}} for t in payload["tools"]]}
    return arguments


def embedding_body(model, texts):
    if "cohere" in model:
        return {"texts": texts, "input_type": "search_document"}
    return [{"inputText": text} for text in texts]  # Titan embeds one text per call


class Bedrock(Provider):
    NAME = "bedrock"
    SECRET_KEYS = _SECRETS
    STREAMS = frozenset({"chat", "completions"})

    @classmethod
    def check_config(cls, config, endpoint_type, model_name):
        aws = config.get("aws_config")
        if not isinstance(aws, dict):
            raise ValueError("model.config needs 'aws_config'")
        if bool(aws.get("aws_access_key_id")) != bool(aws.get("aws_secret_access_key")):
            raise ValueError("aws_config needs both 'aws_access_key_id' and 'aws_secret_access_key'")
        aws.setdefault("session_length_seconds", 900)
        return config

    def __init__(self, endpoint):
        super().__init__(endpoint)
        self.aws = self.config["aws_config"]
        self._client, self._expires, self._lock = None, 0.0, threading.Lock()

    def _session_kwargs(self):
        aws = self.aws
        kwargs = {"region_name": aws.get("aws_region")}
        if aws.get("aws_role_arn"):
            import boto3

            sts = boto3.client("sts", region_name=aws.get("aws_region"), endpoint_url=aws.get("sts_endpoint_url"))
            role = sts.assume_role(RoleArn=aws["aws_role_arn"], RoleSessionName="mlf-gateway",
                                   DurationSeconds=int(aws["session_length_seconds"]))["Credentials"]
            kwargs.update(aws_access_key_id=role["AccessKeyId"], aws_secret_access_key=role["SecretAccessKey"],
                          aws_session_token=role["SessionToken"])
            self._expires = time.monotonic() + int(aws["session_length_seconds"]) - 60
        elif aws.get("aws_access_key_id"):
            kwargs.update(aws_access_key_id=aws["aws_access_key_id"], aws_secret_access_key=aws["aws_secret_access_key"],
                          aws_session_token=aws.get("aws_session_token"))
        return kwargs

    def client(self):
        with self._lock:
            if self._client is None or (self._expires and time.monotonic() > self._expires):
                import boto3
                from botocore.config import Config

                self._client = boto3.client(
                    "bedrock-runtime", endpoint_url=self.aws.get("endpoint_url"),
                    config=Config(retries={"max_attempts": 1}), **self._session_kwargs())
            return self._client

    def _call(self, method, **kwargs):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client(), method)(**kwargs)
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 502
            raise GatewayError(status, exc.response.get("Error", {}).get("Message") or str(exc)) from None
        except BotoCoreError as exc:
            raise GatewayError(502, f"Bedrock call failed: {exc}") from None

    def translate(self, kind, body):
        message = (body.get("output") or {}).get("message") or {}
        text = "".join(b.get("text", "") for b in message.get("content") or [] if "text" in b)
        calls = [b["toolUse"] for b in message.get("content") or [] if "toolUse" in b]
        raw = body.get("usage") or {}
        tokens = usage(raw.get("inputTokens"), raw.get("outputTokens"), raw.get("totalTokens"))
        finish = _FINISH.get(body.get("stopReason"), body.get("stopReason"))
        if kind == "completions":
            return completions_response(self.NAME, self.model, [{"index": 0, "text": text, "finish_reason": finish}], tokens)
        out = {"role": "assistant", "content": text or None}
        if calls:
            out["tool_calls"] = [{"id": c["toolUseId"], "type": "function",
                                  "function": {"name": c["name"], "arguments": json.dumps(c.get("input", {}))}} for c in calls]
        return chat_response(self.NAME, self.model, [{"index": 0, "message": out, "finish_reason": finish}], tokens)

    def translate_chunk(self, kind, event):
        if "contentBlockDelta" in event:
            text = event["contentBlockDelta"].get("delta", {}).get("text", "")
            if kind == "completions":
                return [completions_chunk(self.NAME, self.model, 0, text)]
            return [chat_chunk(self.NAME, self.model, 0, {"role": "assistant", "content": text})]
        if "messageStop" in event:
            finish = _FINISH.get(event["messageStop"].get("stopReason"), "stop")
            if kind == "completions":
                return [completions_chunk(self.NAME, self.model, 0, "", finish)]
            return [chat_chunk(self.NAME, self.model, 0, {}, finish)]
        return []

    async def invoke(self, http, kind, payload):
        if kind == "embeddings":
            return await asyncio.to_thread(self._embed, payload["input"])
        body = await asyncio.to_thread(self._call, "converse", **converse_arguments(self.model, kind, payload))
        return self.translate(kind, body)

    def _embed(self, texts):
        texts = [texts] if isinstance(texts, str) else list(texts)
        bodies = embedding_body(self.model, texts)
        vectors, tokens = [], 0
        for body in bodies if isinstance(bodies, list) else [bodies]:
            answer = self._call("invoke_model", modelId=self.model, body=json.dumps(body),
                                contentType="application/json", accept="application/json")
            data = json.loads(answer["body"].read())
            if "embeddings" in data:
                vectors.extend(data["embeddings"])
            else:
                vectors.append(data["embedding"])
                tokens += data.get("inputTextTokenCount") or 0
        return embeddings_response(self.NAME, self.model, vectors, tokens or None)

    async def stream_batches(self, http, kind, payload):
        if kind == "embeddings":
            raise GatewayError(400, "Streaming is not supported for embeddings on the bedrock provider.")
        loop, queue, done = asyncio.get_running_loop(), asyncio.Queue(), object()

        def pump():
            try:
                answer = self._call("converse_stream", **converse_arguments(self.model, kind, payload))
                for event in answer["stream"]:
                    loop.call_soon_threadsafe(queue.put_nowait, event)
                loop.call_soon_threadsafe(queue.put_nowait, done)
            except Exception as exc:  # handed to the event loop, raised there
                loop.call_soon_threadsafe(queue.put_nowait, exc)

        threading.Thread(target=pump, daemon=True).start()
        while (event := await queue.get()) is not done:
            if isinstance(event, Exception):
                raise event
            chunks = self.translate_chunk(kind, event)
            if chunks:
                yield chunks
