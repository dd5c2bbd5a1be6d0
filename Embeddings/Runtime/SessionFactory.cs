using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Neutrino.Embeddings.Runtime;

/// <summary>ONNX Runtime sessions with the configured execution provider and threads.</summary>
internal sealed partial class SessionFactory(EmbeddingOptions options, ILogger logger)
{
    private const string CudaProvider = "CUDAExecutionProvider";
    private bool _cudaMissingReported;

    public InferenceSession Create(string onnxPath)
    {
        using var session = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = options.EffectiveIntraOpThreads,
            InterOpNumThreads = options.InterOpThreads,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        // Idle ONNX Runtime threads spin by default, taking the cores the HTTP side of serving needs.
        var spin = options.SpinWhileIdle ? "1" : "0";
        session.AddSessionConfigEntry("session.intra_op.allow_spinning", spin);
        session.AddSessionConfigEntry("session.inter_op.allow_spinning", spin);
        if (options.ExecutionProvider == ExecutionProvider.Cuda)
        {
            if (!OrtEnv.Instance().GetAvailableProviders().Contains(CudaProvider, StringComparer.Ordinal))
            {
                ReportCudaMissing("this gpu pool was built with the CPU-only ONNX Runtime (OnnxRuntimeBuild=Cpu), which has no CUDA provider");
            }
            else
            {
                try
                {
                    session.AppendExecutionProvider_CUDA(options.DeviceId);
                }
                catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
                {
                    // The provider is in the build, but a machine without a GPU, its driver, or CUDA 13 and cuDNN 9 cannot load it.
                    ReportCudaMissing($"the CUDA provider could not be loaded for device {options.DeviceId}: {ex.Message}. It needs an NVIDIA driver, CUDA 13 and cuDNN 9 on the library path");
                }
            }
        }
        return new InferenceSession(onnxPath, session);
    }

    private void ReportCudaMissing(string reason)
    {
        if (!_cudaMissingReported)
        {
            LogCudaMissing(logger, reason);
            _cudaMissingReported = true;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "ExecutionProvider is Cuda, but {Reason}; running on the CPU.")]
    private static partial void LogCudaMissing(ILogger logger, string reason);
}
