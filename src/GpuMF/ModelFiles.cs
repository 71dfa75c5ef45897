using GpuMF.Models;
using GpuMF.Persistence;

namespace GpuMF;

/// <summary>Saving and loading models: <c>model.Save(path)</c> and <c>FactorModel.Load(path)</c>.</summary>
public static class ModelFiles
{
    extension(FactorModel model)
    {
        /// <summary>Writes the model to <paramref name="path"/> (see <see cref="ModelFile"/>), atomically: a failed write leaves the file that was there.</summary>
        public void Save(string path) => ModelFile.Write(model, path);
    }

    extension(FactorModel)
    {
        /// <summary>Reads a model written by <c>Save</c>, validating every field, its options included.</summary>
        /// <exception cref="InvalidDataException">The file is not a GpuMF model, is of an unknown version, or is corrupt or truncated.</exception>
        public static FactorModel Load(string path) => WithFoldIn(ModelFile.Read(path), path);
    }

    /// <summary>A model read from a file with its family's fold-in rule, the options it stores validated.</summary>
    /// <exception cref="InvalidDataException">The options are not valid for the model's kind.</exception>
    internal static FactorModel WithFoldIn(FactorModel model, string path)
    {
        try
        {
            return model.WithFoldIn(ModelRegistry.Of(model.Kind).FoldIn(model.OptionsJson));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Model file '{path}': {e.Message.TrimEnd('.')}.", e);
        }
    }
}
