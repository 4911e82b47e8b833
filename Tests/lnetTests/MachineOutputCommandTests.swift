import Foundation
import LNetTestSupport
import Testing

/// `--json` on train, resume, verify and diff; `diff --brief`, `--nan-equal`
/// and `FILE/OBJECT` paths; the dataset check of `inspect`. Every JSON output
/// is parsed by Python's json module and compared with what h5py and numpy
/// read or compute from the same files.
@Suite("Machine-readable output, diff for people and the dataset check, end to end")
struct MachineOutputCommandTests {
    private func scratch(_ name: String = #function) throws -> URL {
        try Repository.scratchFolder("json-\(name.prefix(while: { $0.isLetter }))")
    }

    private func write(_ text: String, to folder: URL, _ name: String) throws -> String {
        let path = folder.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func writeData(_ path: String, examples: Int, seed: Int) throws {
        try Python.run(script: """
            import sys, h5py, numpy as np
            r = np.random.RandomState(int(sys.argv[3]))
            x = r.randn(int(sys.argv[2]), 2)
            with h5py.File(sys.argv[1], "w") as f:
                f["x"] = x
                f["y"] = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
            """, [path, String(examples), String(seed)])
    }

    @Test func trainAndResumePrintJSONLinesThatAgreeWithTheCheckpoint() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("train.h5").path
        let test = folder.appendingPathComponent("test.h5").path
        try writeData(data, examples: 200, seed: 1)
        try writeData(test, examples: 80, seed: 2)
        let checkpoint = folder.appendingPathComponent("c.h5").path
        let train = try LNetBinary.run([
            "train", "--data", data, "--test", test, "--checkpoint", checkpoint, "--layers", "4,1", "--epochs", "4",
            "--batch-size", "32", "--checkpoint-every", "2", "--keep-best", "--print-every", "1", "--json",
        ])
        #expect(train.status == 0, "\(train.stderr)")
        let resume = try LNetBinary.run(["resume", checkpoint, "--epochs", "2", "--checkpoint-every", "2", "--json",
                                         "--print-every", "1"])
        #expect(resume.status == 0, "\(resume.stderr)")
        let trainLines = try write(train.stdout, to: folder, "train.jsonl")
        let resumeLines = try write(resume.stdout, to: folder, "resume.jsonl")
        let verdict = try Python.run(script: """
            import json, sys, h5py
            problems = []
            def expect(condition, message):
                if not condition: problems.append(message)
            runs = [[json.loads(line) for line in open(path)] for path in sys.argv[1:3]]
            with h5py.File(sys.argv[3], "r") as f:
                costs = f["training/costs"][()].tolist()
                tests = dict(zip(f["training/test_epochs"][()].tolist(),
                                 zip(f["training/test_costs"][()].tolist(), f["training/test_accuracy"][()].tolist())))
                best = (int(f["training"].attrs["best_epoch"]), float(f["training"].attrs["best_cost"]))
            for run, first, last in ((runs[0], 0, 4), (runs[1], 4, 6)):
                kinds = [event["event"] for event in run]
                expect(kinds[-1] == "summary" and kinds.count("summary") == 1, f"summary last: {kinds}")
                epochs = [event for event in run if event["event"] == "epoch"]
                expect([e["epoch"] for e in epochs] == list(range(first, last)), f"epochs {epochs}")
                for e in epochs:
                    expect(list(e) == ["event", "epoch", "cost", "learning_rate"], f"epoch keys {list(e)}")
                    expect(e["cost"] == costs[e["epoch"]], f"epoch {e['epoch']}: {e['cost']} != {costs[e['epoch']]}")
                for t in (event for event in run if event["event"] == "test"):
                    expect((t["test_cost"], t["test_accuracy"]) == tests[t["epoch"]], f"test {t}")
                saved = [event for event in run if event["event"] == "checkpoint"]
                expect([s["epochs_completed"] for s in saved] == [e for e in (2, 4, 6) if first < e <= last], f"saves {saved}")
                expect(all(s["path"] == sys.argv[3] and s["batch_in_epoch"] == 0 for s in saved), f"saves {saved}")
                summary = run[-1]
                expect(list(summary) == ["event", "completed", "epochs_completed", "epochs_target", "last_cost",
                                         "train_accuracy", "test_accuracy", "checkpoint", "best", "resume_command"],
                       f"summary keys {list(summary)}")
                expect(summary["completed"] is True and summary["epochs_completed"] == last, f"summary {summary}")
                expect(summary["last_cost"] == costs[last - 1] and summary["resume_command"] is None, f"summary {summary}")
                expect(0 <= summary["test_accuracy"] <= 1 and summary["checkpoint"] == sys.argv[3], f"summary {summary}")
            kept = [event for run in runs for event in run if event["event"] == "best"]
            expect(kept and (kept[-1]["epoch"], kept[-1]["cost"]) == best, f"best {kept} vs {best}")
            expect(runs[1][-1]["best"]["epoch"] == best[0] and runs[1][-1]["best"]["judged_on"] == "test_cost",
                   f"summary best {runs[1][-1]['best']}")
            print("\\n".join(problems) or "ok")
            """, [trainLines, resumeLines, checkpoint])
        #expect(verdict.trimmingCharacters(in: .whitespacesAndNewlines) == "ok", "\(verdict)")
    }

    @Test func verifyJSONHasOneObjectPerFile() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("train.h5").path
        try writeData(data, examples: 100, seed: 3)
        let good = folder.appendingPathComponent("good.h5").path
        let trained = try LNetBinary.run(["train", "--data", data, "--checkpoint", good, "--layers", "3,1", "--epochs", "2", "--quiet"])
        #expect(trained.status == 0, "\(trained.stderr)")
        let changed = folder.appendingPathComponent("changed.h5").path
        try FileManager.default.copyItem(atPath: good, toPath: changed)
        try InteropPython.edit(changed, "f['optimizer'].attrs['learning_rate0'] = 0.5", reseal: false)
        let result = try LNetBinary.run(["verify", "--json", good, changed, data])
        #expect(result.status == 1)
        let lines = try write(result.stdout, to: folder, "verify.jsonl")
        let verdict = try Python.run(script: """
            import json, sys
            objects = [json.loads(line) for line in open(sys.argv[1])]
            good, changed, data = objects
            ok = (len(objects) == 3 and good["valid"] and good["kind"] == "full" and good["layer_dims"] == [2, 3, 1]
                  and good["epoch"] == 2 and good["problems"] == [] and good["has_settings_checksum"]
                  and not changed["valid"] and "settings checksum does not match" in changed["problems"][0]
                  and changed["file"] == sys.argv[2] and not data["valid"] and data["kind"] is None
                  and list(good) == ["file", "valid", "kind", "format_version", "layer_dims", "epoch",
                                     "has_settings_checksum", "problems", "warnings"])
            print("ok" if ok else objects)
            """, [lines, changed])
        #expect(verdict.trimmingCharacters(in: .whitespacesAndNewlines) == "ok", "\(verdict)")
        #expect(!result.stderr.contains("settings checksum"), "problems are in the JSON, not on stderr: \(result.stderr)")
    }

    @Test func diffBriefNanEqualJSONAndFileObjectPaths() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = folder.appendingPathComponent("a.h5").path
        let b = folder.appendingPathComponent("b.h5").path
        try Python.run(script: """
            import sys, h5py, numpy as np
            with h5py.File(sys.argv[1], "w") as f:
                f["w"] = np.array([[np.nan, 1.0], [2.0, 3.0]]); f["same"] = np.arange(3.0); f["g/only_a"] = [1]
                f.attrs["epoch"] = 1
            with h5py.File(sys.argv[2], "w") as f:
                f["w"] = np.array([[np.nan, 1.0], [2.0, 3.5]]); f["same"] = np.arange(3.0); f["g/only_b"] = [1]
                f.attrs["epoch"] = 2
            """, [a, b])
        let text = try LNetBinary.run(["diff", a, b])
        #expect(text.status == 1)
        #expect(text.stdout.contains("\(a)/w: 2 of 4 values differ"), "\(text.stdout)")
        #expect(text.stdout.contains("\(a)/g/only_a: only in \(a)") && text.stdout.contains("\(b)/g/only_b: only in \(b)"),
                "\(text.stdout)")
        let brief = try LNetBinary.run(["diff", a, b, "--brief"])
        #expect(brief.status == 1)
        #expect(brief.stdout == "\(a)/\n\(a)/g/only_a\n\(b)/g/only_b\n\(a)/w\n", "\(brief.stdout)")
        let nanEqual = try LNetBinary.run(["diff", a, b, "--nan-equal", "--json"])
        #expect(nanEqual.status == 1)
        let document = try write(nanEqual.stdout, to: folder, "diff.json")
        let verdict = try Python.run(script: """
            import json, sys
            d = json.load(open(sys.argv[1]))
            w = [x for x in d["differences"] if x["object"] == "/w"][0]
            ok = (d["equal"] is False and d["nan_equal"] is True and d["a"] == sys.argv[2]
                  and d["differing_objects"] == [sys.argv[2] + "/", sys.argv[2] + "/g/only_a", sys.argv[3] + "/g/only_b", sys.argv[2] + "/w"]
                  and w["kind"] == "values" and w["location"] == sys.argv[2] + "/w"
                  and w["values"]["differing"] == 1 and w["values"]["first_index"] == [1, 1]
                  and w["values"]["max_abs_difference"] == 0.5
                  and [x["kind"] for x in d["differences"]] == ["attribute", "only_in_a", "only_in_b", "values"])
            print("ok" if ok else d)
            """, [document, a, b])
        #expect(verdict.trimmingCharacters(in: .whitespacesAndNewlines) == "ok", "\(verdict)")
        let usage = try LNetBinary.run(["diff", a, b, "--brief", "--json"])
        #expect(usage.status == 64)
    }

    /// More than one 8 MiB block of x, so the blocks' statistics are merged; numpy computes the same from the file.
    @Test func theDatasetCheckAgreesWithNumpy() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("d.h5").path
        let test = folder.appendingPathComponent("t.h5").path
        try Python.run(script: """
            import sys, h5py, numpy as np
            r = np.random.RandomState(5)
            x = r.randn(2600, 420) * np.logspace(-3, 3, 420) + 7
            x[5, 3] = np.nan; x[9, 7] = np.inf; x[10, 7] = -np.inf; x[:, 11] = 4.0
            with h5py.File(sys.argv[1], "w") as f:
                f["x"] = x; f["y"] = r.randint(0, 3, 2600); f["classes"] = np.array([b"ant", b"bee", b"cow"])
            with h5py.File(sys.argv[2], "w") as f:
                f["x"] = r.randn(30, 420); f["y"] = r.randint(0, 2, 30)
            """, [data, test])
        let result = try LNetBinary.run(["inspect", data, "--test", test, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try write(result.stdout, to: folder, "inspect.json")
        let verdict = try Python.run(script: """
            import json, sys, h5py, numpy as np
            d = json.load(open(sys.argv[1]))["dataset"]
            with h5py.File(sys.argv[2], "r") as f, h5py.File(sys.argv[3], "r") as t:
                x, y, ty = f["x"][()], f["y"][()], t["y"][()]
            finite = np.where(np.isfinite(x), x, np.nan)
            std = np.nanstd(finite, axis=0)
            varying = std[std > 0]
            problems = []
            def close(a, b, what):
                if not abs(a - b) <= 1e-9 * abs(b): problems.append(f"{what}: {a} vs numpy {b}")
            close(d["feature_std"]["min"], varying.min(), "min std")
            close(d["feature_std"]["max"], std.max(), "max std")
            close(d["feature_std"]["median"], float(np.median(std)), "median std")
            if d["feature_std"]["constant_features"] != int(np.sum(std == 0)): problems.append("constant features")
            if d["nan_count"] != int(np.isnan(x).sum()) or d["inf_count"] != int(np.isinf(x).sum()): problems.append("nan/inf")
            if d["class_counts"] != np.bincount(y, minlength=3).tolist(): problems.append(f"counts {d['class_counts']}")
            if d["test"]["class_counts"] != np.bincount(ty, minlength=3).tolist(): problems.append(f"test counts {d['test']}")
            if (d["m"], d["n_x"], d["dtype"], d["classes"]) != (2600, 420, "float64", ["ant", "bee", "cow"]): problems.append("sizes")
            if not any("--standardize" in h for h in d["hints"]): problems.append(f"hints {d['hints']}")
            if d["features_first"]: problems.append("features_first")
            print("\\n".join(problems) or "ok")
            """, [document, data, test])
        #expect(verdict.trimmingCharacters(in: .whitespacesAndNewlines) == "ok", "\(verdict)")
        let text = try LNetBinary.run(["inspect", data, "--test", test])
        #expect(text.stdout.contains("  1 (bee)"), "\(text.stdout)")
        #expect(text.stdout.contains("hint: the features' standard deviations range from"), "\(text.stdout)")
    }

    @Test func theDatasetCheckWarnsWhenXLooksFeaturesFirst() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("course.h5").path
        try Python.run(script: """
            import sys, h5py, numpy as np
            r = np.random.RandomState(6)
            with h5py.File(sys.argv[1], "w") as f:
                f["x"] = r.randn(2, 300)                       # the course's X, (n_x, m), stored as it is
                f["y"] = r.randint(0, 2, (1, 300))             # the course's Y, (1, m)
            """, [data])
        let result = try LNetBinary.run(["inspect", data])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("warning: x (x) has shape (2, 300) and y (y) has 300 labels: x looks features-first"),
                "\(result.stdout)")
        #expect(result.stdout.contains("store x.T"), "\(result.stdout)")
        // An examples-first file of the same numbers draws no such warning.
        try Python.run(script: """
            import sys, h5py
            with h5py.File(sys.argv[1], "r+") as f:
                x = f["x"][()]; del f["x"]; f["x"] = x.T
            """, [data])
        let fixed = try LNetBinary.run(["inspect", data])
        #expect(fixed.status == 0 && !fixed.stdout.contains("features-first"), "\(fixed.stdout)")
    }
}
