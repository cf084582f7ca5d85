package sparkssl.model.onednn;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SCALE_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_MEAN;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCALE_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_VARIANCE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WORKSPACE;

import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.batch_normalization_backward;
import org.bytedeco.dnnl.batch_normalization_forward;
import org.bytedeco.dnnl.convolution_backward_data;
import org.bytedeco.dnnl.convolution_backward_weights;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.eltwise_backward;
import org.bytedeco.dnnl.eltwise_forward;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.global.dnnl.normalization_flags;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.memory.format_tag;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The oneDNN primitives of one {@link FusedConv} layer for one input shape, and the buffers they
 * keep between the forward pass and the backward pass (the convolution's output, the ReLU
 * workspace); the input in the convolution's layout is made again from DL4J's input. With batch norm: conv, then batch norm with ReLU fused
 * into it. Without: conv with its bias and ReLU as a post-op, ReLU's backward from the output. ND4J
 * arrays are read and written in place through memory handles; only the layer's output and input
 * gradient are reordered from the primitives' blocked layouts to NCHW.
 *
 * <p>Closed when its layer evicts it: left to the garbage collector, its buffers (the training
 * pass's conv output alone is a batch of the layer's outputs) outlive it for as long as the old
 * generation goes uncollected, which on a small, quiet heap is the whole run.
 */
final class FusedConvPrimitives implements AutoCloseable {
  /** What a pass keeps: a training pass all a backward pass reads, the others nothing beyond the call. */
  enum Pass {
    /** Batch statistics, kept for a backward pass. */
    TRAINING,
    /** Batch statistics without a backward pass (an EMA teacher's forward pass). */
    FORWARD_ONLY,
    /** The running statistics. */
    INFERENCE
  }

  /** Every native object made here, in the order made: oneDNN handles, descriptors and the buffers they own. */
  private final List<Pointer> owned = new ArrayList<>();
  private final List<Relayout> relayouts = new ArrayList<>();
  private final stream s = own(OneDnn.newStream());
  private final boolean training;
  private final boolean batchNorm;
  private final boolean relu;

  private final memory xUser;
  private final memory wUser;
  /** gamma|beta with batch norm, the bias without. */
  private final memory affineUser;
  private final memory meanUser;
  private final memory varUser;
  private final memory yUser;

  private final convolution_forward conv;
  private final memory src;
  /** Sizes of the memories pointed at scratch buffers per call (asking oneDNN allocates a descriptor each time). */
  private final long srcBytes;
  private final reorder toSrc;
  private final Relayout weights;
  private final memory convDst;
  private final long convBytes;
  private final primitive bn;
  private final memory workspace;
  private final Relayout out;
  /** Without batch norm: the conv's output is kept for ReLU's backward and copied out to the layer's. */
  private final reorder convToY;
  private memory wConv;
  private final long[] outShape;

  private primitive activationBack;
  private convolution_backward_weights convBackWeights;
  private convolution_backward_data convBackData;
  private memory dyUser;
  private memory dwUser;
  private memory dAffineUser;
  private memory dxUser;
  private Relayout dyIn;
  private memory dConv;
  private long dConvBytes;
  private Relayout srcForWeights;
  private Relayout dConvForWeights;
  private Relayout dwOut;
  private Relayout dConvForData;
  private Relayout weightsForData;
  private Relayout dxOut;

  FusedConvPrimitives(FusedConv conf, long[] inShape, Pass pass) {
    this.training = pass == Pass.TRAINING;
    this.batchNorm = conf.isBatchNorm();
    this.relu = conf.isRelu();
    Geometry g = Geometry.of(conf, inShape);
    outShape = g.dst;
    // forward_inference computes batch statistics too unless told to use the running ones, and keeps no workspace
    prop_kind prop = training ? prop_kind.forward_training : prop_kind.forward_inference;
    convolution_forward.primitive_desc convPd = own(batchNorm
        ? new convolution_forward.primitive_desc(own(new convolution_forward.desc(prop, algorithm.convolution_direct,
            any(g.src), any(g.weights), any(g.dst), g.strides, g.padL, g.padR)), OneDnn.engine())
        : new convolution_forward.primitive_desc(own(new convolution_forward.desc(prop, algorithm.convolution_direct,
            any(g.src), any(g.weights), plain(g.bias, format_tag.x), any(g.dst), g.strides,
            g.padL, g.padR)), reluPostOp(relu), OneDnn.engine()));
    conv = own(new convolution_forward(convPd));
    xUser = handle(plain(g.src, format_tag.nchw));
    wUser = handle(plain(g.weights, format_tag.oihw));
    yUser = handle(plain(g.dst, format_tag.nchw));
    // the input in the conv's layout is made again for the backward pass from DL4J's input (which DL4J
    // keeps until then), so it lives only within a call; the conv's output is kept in training
    memory.desc srcDesc = own(convPd.src_desc());
    src = handle(srcDesc);
    srcBytes = srcDesc.get_size();
    toSrc = own(new reorder(xUser, src));
    weights = relayout(Relayout.reading(own(wUser.get_desc()), own(convPd.weights_desc())));
    memory.desc convDesc = own(convPd.dst_desc());
    convDst = training ? own(OneDnn.allocate(convDesc)) : handle(convDesc);
    convBytes = convDesc.get_size();

    batch_normalization_forward.primitive_desc bnPd = null;
    int flags = normalization_flags.use_scale_shift.value | (relu ? normalization_flags.fuse_norm_relu.value : 0)
        | (pass == Pass.INFERENCE ? normalization_flags.use_global_stats.value : 0);
    if (batchNorm) {
      bnPd = own(new batch_normalization_forward.primitive_desc(own(
          new batch_normalization_forward.desc(prop.value, convPd.dst_desc(), (float) conf.getEps(), flags)), OneDnn.engine()));
      bn = own(new batch_normalization_forward(bnPd));
      affineUser = handle(own(bnPd.weights_desc()));
      meanUser = handle(own(bnPd.mean_desc()));
      varUser = handle(own(bnPd.variance_desc()));
      workspace = training && relu ? own(OneDnn.allocate(own(bnPd.workspace_desc()))) : null;
      out = relayout(Relayout.writing(own(yUser.get_desc()), own(bnPd.dst_desc()), "out"));
      convToY = null;
    } else {
      bn = null;
      affineUser = handle(plain(g.bias, format_tag.x));
      meanUser = null;
      varUser = null;
      workspace = null;
      out = null;
      convToY = own(new reorder(convDst, yUser));
    }
    if (training) {
      prepareBackward(conf, g, convPd, bnPd, flags);
    }
  }

  /** The shapes of one layer on one input. */
  private record Geometry(long[] src, long[] weights, long[] bias, long[] dst, long[] strides, long[] padL, long[] padR) {
    static Geometry of(FusedConv conf, long[] in) {
      int k = conf.getKernel();
      int stride = conf.getStride();
      long oh = OneDnn.outSize(in[2], k, stride, conf.getPadding(), conf.isSame());
      long ow = OneDnn.outSize(in[3], k, stride, conf.getPadding(), conf.isSame());
      long[] padH = OneDnn.padding(in[2], oh, k, stride, conf.getPadding(), conf.isSame());
      long[] padW = OneDnn.padding(in[3], ow, k, stride, conf.getPadding(), conf.isSame());
      long oc = conf.getNOut();
      return new Geometry(in.clone(), new long[] {oc, in[1], k, k}, new long[] {oc}, new long[] {in[0], oc, oh, ow},
          new long[] {stride, stride}, new long[] {padH[0], padW[0]}, new long[] {padH[1], padW[1]});
    }
  }

  private primitive_attr reluPostOp(boolean relu) {
    primitive_attr attr = own(new primitive_attr());
    if (relu) {
      post_ops ops = own(new post_ops());
      ops.append_eltwise(1f, algorithm.eltwise_relu, 0f, 0f);
      attr.set_post_ops(ops);
    }
    return attr;
  }

  private void prepareBackward(FusedConv conf, Geometry g, convolution_forward.primitive_desc convPd,
      batch_normalization_forward.primitive_desc bnPd, int flags) {
    convolution_backward_weights.primitive_desc weightsPd = own(new convolution_backward_weights.primitive_desc(own(batchNorm
        ? new convolution_backward_weights.desc(algorithm.convolution_direct, any(g.src), any(g.weights),
            any(g.dst), g.strides, g.padL, g.padR)
        : new convolution_backward_weights.desc(algorithm.convolution_direct, any(g.src), any(g.weights),
            plain(g.bias, format_tag.x), any(g.dst), g.strides, g.padL, g.padR)), OneDnn.engine(), convPd));
    convolution_backward_data.primitive_desc dataPd = own(new convolution_backward_data.primitive_desc(
        own(new convolution_backward_data.desc(algorithm.convolution_direct, any(g.src), any(g.weights),
            any(g.dst), g.strides, g.padL, g.padR)), OneDnn.engine(), convPd));
    convBackWeights = own(new convolution_backward_weights(weightsPd));
    convBackData = own(new convolution_backward_data(dataPd));
    dyUser = handle(own(yUser.get_desc()));
    dwUser = handle(own(wUser.get_desc()));
    dxUser = handle(own(xUser.get_desc()));
    memory.desc convOut = own(convPd.dst_desc());
    memory.desc dConvDesc;
    if (batchNorm) {
      batch_normalization_backward.primitive_desc bnBackPd = own(new batch_normalization_backward.primitive_desc(
          own(new batch_normalization_backward.desc(prop_kind.backward.value, own(bnPd.dst_desc()), convOut,
              (float) conf.getEps(), flags)), OneDnn.engine(), bnPd));
      activationBack = own(new batch_normalization_backward(bnBackPd));
      dAffineUser = handle(own(bnBackPd.diff_weights_desc()));
      dyIn = relayout(Relayout.reading(own(dyUser.get_desc()), own(bnBackPd.diff_dst_desc()), "dy"));
      dConvDesc = own(bnBackPd.diff_src_desc());
    } else if (relu) {
      eltwise_forward.primitive_desc hint = own(new eltwise_forward.primitive_desc(own(new eltwise_forward.desc(
          prop_kind.forward_training, algorithm.eltwise_relu_use_dst_for_bwd, convOut, 0f, 0f)), OneDnn.engine()));
      eltwise_backward.primitive_desc reluBackPd = own(new eltwise_backward.primitive_desc(own(new eltwise_backward.desc(
          algorithm.eltwise_relu_use_dst_for_bwd, convOut, convOut, 0f, 0f)), OneDnn.engine(), hint));
      activationBack = own(new eltwise_backward(reluBackPd));
      dAffineUser = handle(own(weightsPd.diff_bias_desc()));
      dyIn = relayout(Relayout.reading(own(dyUser.get_desc()), own(reluBackPd.diff_dst_desc()), "dy"));
      dConvDesc = own(reluBackPd.diff_src_desc());
    } else {
      dAffineUser = handle(own(weightsPd.diff_bias_desc()));
      dyIn = relayout(Relayout.reading(own(dyUser.get_desc()), own(weightsPd.diff_dst_desc()), "dy"));
      dConvDesc = own(weightsPd.diff_dst_desc());
    }
    dConv = activationBack == null ? null : handle(dConvDesc);
    dConvBytes = dConvDesc.get_size();
    srcForWeights = relayout(Relayout.reading(own(src.get_desc()), own(weightsPd.src_desc()), "srcW"));
    dConvForWeights = relayout(Relayout.reading(dConvDesc, own(weightsPd.diff_dst_desc()), "dConvW"));
    dwOut = relayout(Relayout.writing(own(dwUser.get_desc()), own(weightsPd.diff_weights_desc()), "dW"));
    dConvForData = relayout(Relayout.reading(dConvDesc, own(dataPd.diff_dst_desc()), "dConvD"));
    weightsForData = relayout(Relayout.reading(weights.wanted(), own(dataPd.weights_desc())));
    dxOut = relayout(Relayout.writing(own(dxUser.get_desc()), own(dataPd.diff_src_desc()), "dx"));
  }

  private <T extends Pointer> T own(T p) {
    owned.add(p);
    return p;
  }

  private Relayout relayout(Relayout r) {
    relayouts.add(r);
    return r;
  }

  private memory.desc plain(long[] dims, format_tag tag) {
    return own(OneDnn.plain(dims, tag));
  }

  private memory.desc any(long[] dims) {
    return own(OneDnn.any(dims));
  }

  private memory handle(memory.desc desc) {
    return own(OneDnn.handle(desc));
  }

  /** Frees the primitives and every buffer they keep; the set must not be used after. */
  @Override
  public void close() {
    relayouts.forEach(Relayout::close);
    for (int i = owned.size() - 1; i >= 0; i--) {
      owned.get(i).close();
    }
    owned.clear();
  }

  /** Whether {@link #close} has run. */
  boolean closed() {
    return conv.isNull();
  }

  /** {@code [N, nOut, h, w]} of this input shape's output. */
  long[] outShape() {
    return outShape.clone();
  }

  /** The input in the conv's layout, in this thread's scratch buffer. */
  private void toSrc(INDArray x) {
    OneDnn.point(xUser, x);
    src.set_data_handle(Scratch.get("src", srcBytes));
    toSrc.execute(s, xUser, src);
  }

  /**
   * {@code y = relu(bn(conv(x, w)))} or {@code relu(conv(x, w) + b)}. {@code affine} is gamma|beta
   * or the bias. Training: {@code mean} and {@code var} receive the batch's statistics (biased
   * variance); inference: they are read as the running statistics. Null without batch norm.
   */
  void forward(INDArray x, INDArray w, INDArray affine, INDArray mean, INDArray var, INDArray y) {
    OneDnn.point(wUser, w);
    OneDnn.point(affineUser, affine);
    OneDnn.point(yUser, y);
    if (!training) {
      convDst.set_data_handle(Scratch.get("conv", convBytes));
    }
    toSrc(x);
    wConv = weights.in(s, wUser);
    IntMemoryMap convArgs = new IntMemoryMap().put(DNNL_ARG_SRC, src).put(DNNL_ARG_WEIGHTS, wConv).put(DNNL_ARG_DST, convDst);
    if (batchNorm) {
      conv.execute(s, convArgs);
      OneDnn.point(meanUser, mean);
      OneDnn.point(varUser, var);
      IntMemoryMap bnArgs = new IntMemoryMap().put(DNNL_ARG_SRC, convDst).put(DNNL_ARG_SCALE_SHIFT, affineUser)
          .put(DNNL_ARG_MEAN, meanUser).put(DNNL_ARG_VARIANCE, varUser).put(DNNL_ARG_DST, out.buffer(yUser));
      if (workspace != null) {
        bnArgs.put(DNNL_ARG_WORKSPACE, workspace);
      }
      bn.execute(s, bnArgs);
      out.out(s, yUser);
    } else {
      conv.execute(s, convArgs.put(DNNL_ARG_BIAS, affineUser));
      convToY.execute(s, convDst, yUser);
    }
    s._wait();
    // oneDNN reads these through raw addresses: a dense copy made for the call must outlive it
    Reference.reachabilityFence(x);
  }

  /**
   * Gradients of the last training forward pass, whose input was {@code x}: into {@code dw},
   * {@code dAffine} and {@code dx} (overwritten). The arrays the forward pass
   * read (input, weights, affine, batch statistics) must still hold what they held then.
   */
  void backward(INDArray x, INDArray dy, INDArray dw, INDArray dAffine, INDArray dx) {
    if (!training) {
      throw new IllegalStateException("backward after a pass that kept nothing for it (inference or forward only)");
    }
    toSrc(x);
    OneDnn.point(dyUser, dy);
    OneDnn.point(dwUser, dw);
    OneDnn.point(dAffineUser, dAffine);
    OneDnn.point(dxUser, dx);
    memory dyIn = this.dyIn.in(s, dyUser);
    memory dConvOut = dyIn;
    if (activationBack != null) {
      dConv.set_data_handle(Scratch.get("dConv", dConvBytes));
      IntMemoryMap args = batchNorm
          ? new IntMemoryMap().put(DNNL_ARG_SRC, convDst).put(DNNL_ARG_MEAN, meanUser).put(DNNL_ARG_VARIANCE, varUser)
              .put(DNNL_ARG_DIFF_DST, dyIn).put(DNNL_ARG_SCALE_SHIFT, affineUser).put(DNNL_ARG_DIFF_SRC, dConv)
              .put(DNNL_ARG_DIFF_SCALE_SHIFT, dAffineUser)
          : new IntMemoryMap().put(DNNL_ARG_DST, convDst).put(DNNL_ARG_DIFF_DST, dyIn).put(DNNL_ARG_DIFF_SRC, dConv);
      if (workspace != null) {
        args.put(DNNL_ARG_WORKSPACE, workspace);
      }
      activationBack.execute(s, args);
      dConvOut = dConv;
    }
    IntMemoryMap weightArgs = new IntMemoryMap().put(DNNL_ARG_SRC, srcForWeights.in(s, src))
        .put(DNNL_ARG_DIFF_DST, dConvForWeights.in(s, dConvOut)).put(DNNL_ARG_DIFF_WEIGHTS, dwOut.buffer(dwUser));
    if (!batchNorm) {
      weightArgs.put(DNNL_ARG_DIFF_BIAS, dAffineUser);
    }
    convBackWeights.execute(s, weightArgs);
    dwOut.out(s, dwUser);
    convBackData.execute(s, new IntMemoryMap().put(DNNL_ARG_DIFF_DST, dConvForData.in(s, dConvOut))
        .put(DNNL_ARG_WEIGHTS, weightsForData.in(s, wConv)).put(DNNL_ARG_DIFF_SRC, dxOut.buffer(dxUser)));
    dxOut.out(s, dxUser);
    s._wait();
    Reference.reachabilityFence(x);
    Reference.reachabilityFence(dy);
  }
}
