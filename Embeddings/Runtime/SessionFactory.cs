using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Neutrino.Embeddings.Runtime;

/// <summary>ONNX Runtime sessions with the configured execution provider and threads.</summary>
internal sealed partial class SessionFactory(EmbeddingOptions options, ILogger logger)
{
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
            try
            {
                session.AppendExecutionProvider_CUDA(options.DeviceId);
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
            {
                // The CPU package has no CUDA provider; neither has a machine without the CUDA libraries.
                if (!_cudaMissingReported)
                {
                    LogCudaMissing(logger, ex.Message);
                    _cudaMissingReported = true;
                }
            }
        }
        return new InferenceSession(onnxPath, session);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "CUDA was configured but its execution provider is not available ({Reason}); running on the CPU. Build with -p:OnnxRuntimePackage=Microsoft.ML.OnnxRuntime.Gpu on a machine with CUDA to use the GPU.")]
    private static partial void LogCudaMissing(ILogger logger, string reason);
}
