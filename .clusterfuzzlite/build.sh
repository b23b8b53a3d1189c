#!/bin/bash -eu
# ClusterFuzzLite runs $SRC/build.sh: the real script lives in fuzz/.
exec "$SRC/rtcgate/fuzz/build.sh"
