// swift-tools-version:6.0
// Measures the importers' raw throughput in release mode, without the HDF5
// writer: it builds the project's readers (Sources/LNetStorage/Formats: CSV,
// NumPy, ZIP, IDX and RowSource; Support/ByteStream and Inflate; Datasets/
// DatasetNaming and ClassLabel) and Sources/CFastFloat, each linked in, alone,
// so the numbers do not depend on the rest of LNetStorage compiling.
//
//     swift run -c release --package-path benchmarks/convert/throughput import-throughput FILE.csv
import PackageDescription

let package = Package(
    name: "ImportThroughput",
    targets: [
        .systemLibrary(name: "CZlib"),
        .target(name: "CFastFloat"),
        .systemLibrary(name: "CZip", pkgConfig: "libzip"),
        .target(name: "LNetStorage", dependencies: ["CZlib", "CZip", "CFastFloat"]),
        .executableTarget(name: "import-throughput", dependencies: ["LNetStorage"]),
    ],
    swiftLanguageModes: [.v6]
)
