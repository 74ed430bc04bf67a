"""Markov removal effects beside the ChannelAttribution package on its own example data.

ChannelAttribution (GPL, installed apart in benchmarks/.peers-venv by peers.sh) estimates
first-order removal effects by simulation; journeylab solves the same chain exactly. Prints
both, per channel, with the differences in share of conversions.

    python benchmarks/check_channelattribution.py
        [--data ../shared/data/real/channelattribution_paths.csv]
"""
from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

import pandas as pd

import journeylab as jl

HERE = Path(__file__).resolve().parent
PEER = """
import json, sys
import pandas as pd
from ChannelAttribution import markov_model
data = pd.read_csv(sys.argv[1], sep=";")
res = markov_model(data, var_path="path", var_conv="total_conversions", var_null="total_null",
                   order=1, out_more=True, verbose=0)
print(json.dumps({"result": res["result"].to_dict("list"),
                  "removal_effects": res["removal_effects"].to_dict("list")}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(HERE.parents[1] / "shared" / "data" / "real"
                                          / "channelattribution_paths.csv"))
    args = ap.parse_args()
    raw = pd.read_csv(args.data, sep=";")
    paths = raw.rename(columns={"total_conversions": "conversions", "total_null": "nulls"})
    ours = jl.removal_effects(paths).set_index("touchpoint")
    peer = subprocess.run([str(HERE / ".peers-venv" / "bin" / "python"), "-c", PEER, args.data],
                          capture_output=True, text=True, check=True)
    theirs = json.loads(peer.stdout.strip().splitlines()[-1])
    re = pd.DataFrame(theirs["removal_effects"]).set_index("channel_name")
    conv = pd.DataFrame(theirs["result"]).set_index("channel_name")
    table = pd.DataFrame({
        "removal_effect": ours["removal_effect"],
        "ca_removal_effect": re.iloc[:, 0],
        "share": ours["share"],
        "ca_share": conv["total_conversions"] / conv["total_conversions"].sum(),
    })
    table["share_diff"] = table["share"] - table["ca_share"]
    print(table.sort_values("share", ascending=False).to_string(float_format="%.4f"))
    print(f"\nP(conversion) from the start: {ours.attrs['p_outcome']:.4f}; "
          f"largest difference in share: {table['share_diff'].abs().max():.4f}")


if __name__ == "__main__":
    main()
