#!/usr/bin/env bash
# The scale-out topology on one machine, on loopback only (docs/scale-out.md): a Chroma server holding the index,
# llama-cpp-python's OpenAI-compatible server answering, and N app workers (app.py) that share nothing but those
# two servers. Starts them all, waits until each is healthy (a worker: it answered a warm-up question), runs the
# concurrent-user bench through the workers round-robin beside the single-process figure of the same run
# (eval.bench: users in one process with the local model), prints both, and stops everything on exit.
#
#   scripts/scale-out.sh                          # 2 workers, 10 users
#   scripts/scale-out.sh --workers 3 --users 4,10 --port 18700 --keep
#
# Exit status: 0 when no answer was lost, 1 when one was (or a part failed), 2 for bad arguments.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'EOF'
usage: scripts/scale-out.sh [--workers N] [--users N[,N…]] [--port P] [--answers N] [--time-limit S] [--keep]

  --workers N       app workers behind the round-robin (default 2, at least 1)
  --users LIST      concurrent users to time, e.g. 10 or 4,10 (default 10; each asks max(1, 4 // users) questions)
  --port P          first of the loopback ports used: P Chroma, P+1 the LLM server, P+10… the workers (default 18700)
  --answers N       warm single answers timed in the bench before the users (default 2)
  --time-limit S    seconds the bench may take before it is stopped (default 480)
  --keep            keep the run's folder (logs, each worker's var dir, bench.json) instead of removing it
EOF
}

die() { echo "error: $1" >&2; exit "${2:-1}"; }
whole() { [[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -ge "${3:-1}" ] || die "$1 wants a whole number of at least ${3:-1}, got '$2'" 2; }

workers=2 users=10 port=18700 answers=2 time_limit=480 keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --workers|--users|--port|--answers|--time-limit)
      [ $# -ge 2 ] || die "$1 needs a value" 2
      case "$1" in
        --workers) whole "$1" "$2"; workers=$2 ;;
        --users) [[ "$2" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die "--users wants numbers like 10 or 4,10, got '$2'" 2
                 users=$2 ;;
        --port) whole "$1" "$2" 1024; [ "$2" -le 65000 ] || die "--port wants 1024 to 65000, got '$2'" 2; port=$2 ;;
        --answers) whole "$1" "$2"; answers=$2 ;;
        --time-limit) whole "$1" "$2" 10; time_limit=$2 ;;
      esac
      shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" 2 ;;
  esac
done

python=${SCALE_OUT_PYTHON:-.venv/bin/python}
chroma=${SCALE_OUT_CHROMA:-.venv/bin/chroma}
[ -x "$python" ] || die "$python is missing: run scripts/setup.sh first"
[ -x "$chroma" ] || die "$chroma is missing (the chromadb package's CLI): run scripts/setup.sh first"

host=127.0.0.1  # loopback only: nothing here has authentication
chroma_port=$port llm_port=$((port + 1))
worker_ports=()
for ((i = 0; i < workers; i++)); do worker_ports+=($((port + 10 + i))); done
for p in "$chroma_port" "$llm_port" "${worker_ports[@]}"; do
  if (exec 3<>"/dev/tcp/$host/$p") 2>/dev/null; then die "port $p on $host is in use; choose others with --port"; fi
done

run_dir=$(mktemp -d "${TMPDIR:-/tmp}/zzbot-scale-out.XXXXXX")
pids=() names=()

stop_all() {
  local status=$?
  trap - EXIT INT TERM
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  for ((t = 0; t < 20; t++)); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.5
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  if [ "$keep" = 1 ]; then echo "kept: $run_dir"; else rm -rf "$run_dir"; fi
  exit "$status"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# start NAME COMMAND…: in the background, its output in the run's folder.
start() {
  local name=$1; shift
  "$@" >"$run_dir/$name.log" 2>&1 &
  pids+=($!) names+=("$name")
  echo "started $name (pid $!)"
}

# wait_healthy NAME PID SECONDS CHECK…: until CHECK succeeds; fails at once when the process has ended.
wait_healthy() {
  local name=$1 pid=$2 seconds=$3; shift 3
  local began=$SECONDS
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$run_dir/$name.log" >&2 || true
      die "$name ended before it was healthy (log above)"
    fi
    [ $((SECONDS - began)) -lt "$seconds" ] || die "$name was not healthy within $seconds s (see $run_dir/$name.log)"
    sleep 1
  done
  echo "$name healthy after $((SECONDS - began)) s"
}

http_ok() { curl -fsS --max-time 5 -o /dev/null "$1"; }
# A worker is healthy once it has answered: the embedder, the index and the model server are all reached.
answers_question() {
  curl -fsS --max-time 120 -H 'Content-Type: application/json' \
    -d '{"question": "谁作的政府工作报告？"}' "$1/api/ask" | grep -q '"answer"'
}

export ANONYMIZED_TELEMETRY=False HF_HUB_OFFLINE=1 OMP_WAIT_POLICY=PASSIVE
chroma_env=(ZZBOT_CHROMA__HOST=$host ZZBOT_CHROMA__PORT=$chroma_port)
echo "run folder: $run_dir; load average: $(cut -d' ' -f1-3 /proc/loadavg)"

start chroma "$chroma" run --path "$run_dir/chroma" --host "$host" --port "$chroma_port"
wait_healthy chroma "${pids[-1]}" 60 http_ok "http://$host:$chroma_port/api/v2/heartbeat"

gguf=$("$python" -c 'from pathlib import Path
from index.models import resolve_model
from zzbot.settings import load_settings
s = load_settings()
p = Path(resolve_model(s.llm.local_model, s.model_cache, fetch=False))
print(next(iter(sorted(p.glob("*.gguf"))), p) if p.is_dir() else p)')
[ -f "$gguf" ] || die "no GGUF model at $gguf: run scripts/setup.sh first"
model_alias=$(basename "$(dirname "$gguf")")
# --interrupt_requests false: by default the server cuts a streaming answer short when another request arrives.
start llm env OMP_WAIT_POLICY=PASSIVE "$python" -m llama_cpp.server --model "$gguf" --model_alias "$model_alias" \
  --host "$host" --port "$llm_port" --n_ctx 4096 --n_threads 2 --n_threads_batch 2 --cache true \
  --interrupt_requests false
llm_pid=${pids[-1]}

echo "building the index into the Chroma server"
env "${chroma_env[@]}" ZZBOT_VAR_DIR="$run_dir/build" "$python" -m index build >"$run_dir/index-build.log" 2>&1 \
  || { tail -n 20 "$run_dir/index-build.log" >&2; die "the index build failed (log above)"; }
wait_healthy llm "$llm_pid" 120 http_ok "http://$host:$llm_port/v1/models"

urls=()
for ((i = 0; i < workers; i++)); do
  dir=$run_dir/worker-$((i + 1))
  mkdir -p "$dir/gradio"
  start "worker-$((i + 1))" env "${chroma_env[@]}" ZZBOT_VAR_DIR="$dir" ZZBOT_UI__FEEDBACK_PATH="$dir/feedback.jsonl" \
    ZZBOT_LLM__BACKEND=openai ZZBOT_LLM__OPENAI_BASE_URL="http://$host:$llm_port/v1" \
    ZZBOT_LLM__OPENAI_MODEL="$model_alias" GRADIO_TEMP_DIR="$dir/gradio" \
    "$python" app.py --host "$host" --port "${worker_ports[i]}"
  urls+=("http://$host:${worker_ports[i]}")
done
for ((i = 0; i < workers; i++)); do
  wait_healthy "worker-$((i + 1))" "${pids[i + 2]}" 240 answers_question "${urls[i]}"
done

echo "bench: ${users} users in one process (local model), then through $workers workers round-robin"
url_list=$(IFS=,; echo "${urls[*]}")
timeout --signal=TERM "$time_limit" "$python" -m eval.bench --scales 1 --search-scale 0 --skip-options --cold 0 \
  --no-file --no-naive --answers "$answers" --users "$users" --http "$url_list" --json "$run_dir/bench.json" \
  >"$run_dir/bench.log" 2>&1 || { tail -n 30 "$run_dir/bench.log" >&2; die "the bench failed or took over $time_limit s"; }
sed -n '/answer latency along each path/,/^cold:/p' "$run_dir/bench.log"

"$python" - "$run_dir/bench.json" "$workers" <<'EOF'
import json, sys

bench, workers = json.load(open(sys.argv[1], encoding="utf-8")), int(sys.argv[2])
rows = {p["path"]: p for p in bench["paths"]}
lost = 0
print(f"\nscale-out summary (ms; load average {bench['load_average']['start']} at start, "
      f"{bench['load_average']['end']} at end, {bench['cpus']} CPUs)")
for path, row in rows.items():
    if " users via " not in path:
        continue
    users = path.split()[0]
    single = rows.get(f"{users} concurrent users") or rows.get(f"{users} concurrent user")
    lost += row["failures"]
    verdict = "none lost" if row["failures"] == 0 else f"{row['failures']} LOST"
    one = f"{single['total']['p50']:.0f} / {single['total']['p95']:.0f}" if single and single["total"] else "-"
    many = f"{row['total']['p50']:.0f} / {row['total']['p95']:.0f}" if row["total"] else "-"
    print(f"{users} users: single process p50/p95 {one}; {workers} workers p50/p95 {many}; "
          f"{row['n']} answered, {verdict} ({row['note']})")
sys.exit(1 if lost else 0)
EOF
