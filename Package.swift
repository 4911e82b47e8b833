// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "LNet",
    products: [
        .executable(name: "lnet", targets: ["lnet"]),
        .library(name: "LNetStorage", targets: ["LNetStorage"]),
        .library(name: "LNetTraining", targets: ["LNetTraining"]),
        .library(name: "LNetRuns", targets: ["LNetRuns"]),
    ],
    // `swift build --traits MPI` builds the distributed version (`lnet train --distributed`
    // under mpirun); a plain `swift build` needs no MPI at all.
    traits: [
        .trait(name: "MPI", description: "Data-parallel training across processes over Open MPI (lnet train --distributed)."),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // The real HDF5 C library (Debian's libhdf5-dev, serial build), found with pkg-config.
        // Named `hdf5-serial`, not `hdf5`: Debian's hdf5.pc is an alternative that installing
        // libhdf5-openmpi-dev silently switches to the parallel build.
        .systemLibrary(
            name: "CHDF5",
            pkgConfig: "hdf5-serial",
            providers: [.apt(["libhdf5-dev"])]
        ),
        // zlib, for gzipped MNIST IDX files (libzip inflates .npz members).
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // libdeflate (Debian's libdeflate-dev), for the chunks of compressed datasets: standard
        // gzip-filter chunks made faster than zlib, on every core (formats/dataset.md).
        .systemLibrary(
            name: "CDeflate",
            pkgConfig: "libdeflate",
            providers: [.apt(["libdeflate-dev"])]
        ),
        // libzip (Debian's libzip-dev), for reading and writing .npz archives: chosen over the
        // hand-written ZIP code by measurement (benchmarks/zip/README.md).
        .systemLibrary(
            name: "CZip",
            pkgConfig: "libzip",
            providers: [.apt(["libzip-dev"])]
        ),
        // BLIS behind its CBLAS interface, chosen by measurement (benchmarks/blas/README.md).
        .systemLibrary(
            name: "CBLIS",
            providers: [.apt(["libblis-openmp-dev"])]
        ),
        // OpenSSL's libcrypto, for SHA-256 (the data fingerprint) at the processor's speed
        // (benchmarks/fingerprint/README.md). libhdf5-dev depends on libssl-dev already.
        .systemLibrary(
            name: "CCrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // Open MPI (Debian's libopenmpi-dev), for `--distributed` runs; built only with the MPI trait.
        .systemLibrary(
            name: "CMPI",
            pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev"])]
        ),
        // fast_float (Debian's libfast-float-dev, header-only), behind a small C function,
        // for CSV numbers: correctly rounded, and faster than strtod.
        .target(name: "CFastFloat"),
        // libjpeg-turbo (Debian's libjpeg62-turbo-dev) and libpng (libpng-dev), for photos.
        .systemLibrary(
            name: "CJPEG",
            providers: [.apt(["libjpeg62-turbo-dev"])]
        ),
        .systemLibrary(
            name: "CPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]
        ),
        // A small C layer over both: their fatal-error callbacks longjmp to a setjmp
        // taken in C, never across a Swift frame, and become return codes.
        .target(
            name: "CImageCodecs",
            dependencies: ["CJPEG", "CPNG"],
            linkerSettings: [.linkedLibrary("jpeg"), .linkedLibrary("png16")]
        ),
        // Linux's sync_file_range, which Swift's Glibc module does not show.
        .target(name: "CLinuxIO"),
        .target(
            name: "LNetStorage",
            dependencies: ["CHDF5", "CZlib", "CDeflate", "CZip", "CCrypto", "CFastFloat", "CImageCodecs", "CLinuxIO"]
        ),
        // The math: the network, the generator, optimizers, the training session.
        // It knows no files: BLAS is its one dependency, so the compiler keeps it so.
        .target(
            name: "LNetTraining",
            dependencies: ["CBLIS"]
        ),
        // What joins training to files: runs with checkpoints, streaming from HDF5,
        // memory budgets, evaluation and plots of saved models.
        .target(
            name: "LNetRuns",
            dependencies: ["LNetStorage", "LNetTraining"]
        ),
        // The MPI implementation of LNetTraining's `GradientReducer`: the fixed-order
        // allreduce, broadcasts and the agreement to stop. Only the MPI trait builds it.
        .target(
            name: "LNetMPI",
            dependencies: ["LNetTraining", .target(name: "CMPI", condition: .when(traits: ["MPI"]))]
        ),
        .executableTarget(
            name: "lnet",
            dependencies: [
                "LNetRuns",
                .target(name: "LNetMPI", condition: .when(traits: ["MPI"])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Times LNetTraining on the course's moons and cat models (benchmarks/training/README.md).
        .executableTarget(
            name: "lnet-bench-training",
            dependencies: ["LNetRuns"],
            path: "benchmarks/training/swift"
        ),
        // Times CheckpointFile.write and .read on the cat model with Adam state (benchmarks/checkpoint/README.md).
        .executableTarget(
            name: "lnet-bench-checkpoint",
            dependencies: ["LNetStorage"],
            path: "benchmarks/checkpoint/swift"
        ),
        // Times the gradient allreduce of `--distributed` under mpirun (benchmarks/distributed/README.md).
        .executableTarget(
            name: "lnet-bench-allreduce",
            dependencies: [.target(name: "LNetMPI", condition: .when(traits: ["MPI"]))],
            path: "benchmarks/distributed/swift"
        ),
        // scripts/fuzz: a seeded mutation loop over LNet's own parsers and validators.
        .executableTarget(
            name: "lnet-fuzz",
            dependencies: ["LNetStorage"],
            path: "benchmarks/fuzz",
            exclude: ["README.md"]
        ),
        // What the three test targets share: the repository's paths and the
        // project's Python. Not a product: nothing outside the tests uses it.
        .target(name: "LNetTestSupport", path: "Tests/LNetTestSupport"),
        .testTarget(name: "LNetStorageTests", dependencies: ["LNetStorage", "LNetTestSupport"]),
        // Fixtures/ holds numpy-made JSON the tests read through #filePath.
        .testTarget(name: "LNetTrainingTests", dependencies: ["LNetTraining", "LNetTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "LNetRunsTests", dependencies: ["LNetRuns", "LNetStorage", "LNetTestSupport"]),
        // BadInputs/ holds the bad-input matrix's expectations, a document the test mirrors.
        // Faults/ holds a C write-fault injector the tests compile and LD_PRELOAD.
        .testTarget(name: "lnetTests", dependencies: ["lnet", "LNetTestSupport"], exclude: ["BadInputs", "Faults"]),
    ],
    swiftLanguageModes: [.v6]
)
