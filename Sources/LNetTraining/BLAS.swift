import CBLIS

/// The BLAS that LNet's matrix products run on (BLIS, through CBLAS).
public enum BLAS {
    /// The kernel set BLIS picked for this processor at run time, e.g. `skx`.
    public static var kernelName: String {
        guard let name = bli_arch_string(bli_arch_query_id()) else { return "unknown" }
        return String(cString: name)
    }
}
