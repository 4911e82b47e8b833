import Testing
@testable import LNetTraining

@Test func blisReportsAKernel() {
    #expect(!BLAS.kernelName.isEmpty)
}
