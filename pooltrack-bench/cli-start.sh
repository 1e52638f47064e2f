#!/usr/bin/env bash
# cli-start.sh: how long one `pooltrack verifier /query PID` process takes end to end (JVM start,
# attach, JMX connect, call, print), started three ways, against one SampleServer:
#   plain     java --enable-native-access=ALL-UNNAMED -jar pooltrack.jar ...   (no cache)
#   aot       the same with -XX:AOTCache=<the launcher's cache>
#   aot+c1    the same with -XX:TieredStopAtLevel=1 as well                    (what ./pooltrack runs)
#   c1        plain with -XX:TieredStopAtLevel=1 (C1 only, no cache)
# The variants take turns in each round, so machine load hits them alike. Prints every run's wall
# time and CPU time (user + system, all threads, from /usr/bin/time), the median of each per
# variant, and the ratio of each median to plain's. On a loaded machine the CPU time is the steadier
# figure: the wall time then mostly measures the wait for a core.
#
# Usage (from the repository root, after ./pooltrack has built the jar and its cache once):
#   pooltrack-bench/cli-start.sh [ROUNDS] | tee pooltrack-bench/results/cli-start-$(date -u +%F).txt
set -euo pipefail
rounds="${1:-15}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
java_home="${POOLTRACK_JAVA_HOME:-${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}}"
java="$java_home/bin/java"
jar="$root/pooltrack-cli/target/pooltrack.jar"
aot="$root/pooltrack-cli/target/aot/pooltrack-$(printf '%s' "$java_home" | cksum | cut -d' ' -f1).aot"
[ -f "$jar" ] && [ -f "$aot" ] || { echo "run ./pooltrack --version first (builds $jar and $aot)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'exec {hold}>&- 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
mkfifo "$work/in"
printf 'flags=0x8\ndriver=storage-plugin\nresponse=log\n' >"$work/verifier.conf"
"$java" --enable-native-access=ALL-UNNAMED -XX:+EnableDynamicAgentLoading -Dpooltrack.settings="$work/verifier.conf" \
  -cp "$jar" dev.pooltrack.examples.SampleServer --rate 100 <"$work/in" >"$work/out" 2>/dev/null &
exec {hold}>"$work/in"
for ((i = 0; i < 300; i++)); do
  pid="$(head -n1 "$work/out" 2>/dev/null | sed -n 's/^ready //p')"
  [ -n "$pid" ] && break
  sleep 0.1
done
[ -n "$pid" ] || { echo "SampleServer did not start" >&2; exit 1; }

declare -A flags=(
  [plain]=""
  [aot]="-XX:AOTCache=$aot -Xlog:aot=off"
  [aot+c1]="-XX:AOTCache=$aot -Xlog:aot=off -XX:TieredStopAtLevel=1"
  [c1]="-XX:TieredStopAtLevel=1"
)
variants=(plain aot aot+c1 c1)
export POOLTRACK_SETTINGS="$work/cli.conf"
# One untimed query first: it starts PoolTrack's connector in the server.
"$java" --enable-native-access=ALL-UNNAMED -jar "$jar" verifier /query "$pid" >/dev/null

echo "pooltrack verifier /query $pid, $rounds rounds; $("$java" -version 2>&1 | head -1); $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); load: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A times cpus
for ((r = 1; r <= rounds; r++)); do
  for v in "${variants[@]}"; do
    # shellcheck disable=SC2086
    /usr/bin/time -o "$work/time" -f '%e %U %S' \
      "$java" ${flags[$v]} --enable-native-access=ALL-UNNAMED -jar "$jar" verifier /query "$pid" >/dev/null
    read -r wall user sys <"$work/time"
    ms="$(awk -v w="$wall" 'BEGIN {printf "%d", w * 1000}')"
    cpu="$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%d", (u + s) * 1000}')"
    times[$v]+="$ms "
    cpus[$v]+="$cpu "
    echo "round $r $v wall $ms ms cpu $cpu ms"
  done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
base="$(median "${times[plain]}")"
cbase="$(median "${cpus[plain]}")"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
for v in "${variants[@]}"; do
  m="$(median "${times[$v]}")"
  c="$(median "${cpus[$v]}")"
  printf '%-7s wall median %5d ms  %.2fx plain   cpu median %5d ms  %.2fx plain\n' \
    "$v" "$m" "$(awk -v a="$m" -v b="$base" 'BEGIN {print a / b}')" \
    "$c" "$(awk -v a="$c" -v b="$cbase" 'BEGIN {print a / b}')"
done
echo quit >&"$hold"
