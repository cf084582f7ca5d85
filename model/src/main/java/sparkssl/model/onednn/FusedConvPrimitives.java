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
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The oneDNN primitives of one {@link FusedConv} layer for one input shape, and the buffers they
 * keep between the forward pass and the backward pass (the convolution's output, the ReLU
 * workspace); the input in the convolution's layout is made again from DL4J's input. With batch norm: conv, then batch norm with ReLU fused
 * into it. Without: conv with its bias and ReLU as a post-op, ReLU's backward from the output. ND4J
 * arrays are read and written in place through memory handles; only the layer's output and input
 * gradient are reordered from the primitives' blocked layouts to NCHW.
 */
final class FusedConvPrimitives {
  private final stream s = OneDnn.newStream();
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
  private final reorder toSrc;
  private final Relayout weights;
  private final memory convDst;
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
  private Relayout srcForWeights;
  private Relayout dConvForWeights;
  private Relayout dwOut;
  private Relayout dConvForData;
  private Relayout weightsForData;
  private Relayout dxOut;

  FusedConvPrimitives(FusedConv conf, long[] inShape, boolean training) {
    this.training = training;
    this.batchNorm = conf.isBatchNorm();
    this.relu = conf.isRelu();
    Geometry g = Geometry.of(conf, inShape);
    outShape = g.dst;
    prop_kind prop = training ? prop_kind.forward_training : prop_kind.forward_inference;
    convolution_forward.primitive_desc convPd = batchNorm
        ? new convolution_forward.primitive_desc(new convolution_forward.desc(prop, algorithm.convolution_direct,
            OneDnn.any(g.src), OneDnn.any(g.weights), OneDnn.any(g.dst), g.strides, g.padL, g.padR), OneDnn.engine())
        : new convolution_forward.primitive_desc(new convolution_forward.desc(prop, algorithm.convolution_direct,
            OneDnn.any(g.src), OneDnn.any(g.weights), OneDnn.plain(g.bias, format_tag.x), OneDnn.any(g.dst), g.strides,
            g.padL, g.padR), reluPostOp(relu), OneDnn.engine());
    conv = new convolution_forward(convPd);
    xUser = OneDnn.handle(OneDnn.plain(g.src, format_tag.nchw));
    wUser = OneDnn.handle(OneDnn.plain(g.weights, format_tag.oihw));
    yUser = OneDnn.handle(OneDnn.plain(g.dst, format_tag.nchw));
    // the input in the conv's layout is made again for the backward pass from DL4J's input (which DL4J
    // keeps until then), so it lives only within a call; the conv's output is kept in training
    src = OneDnn.handle(convPd.src_desc());
    toSrc = new reorder(xUser, src);
    weights = Relayout.reading(wUser.get_desc(), convPd.weights_desc());
    convDst = training ? OneDnn.allocate(convPd.dst_desc()) : OneDnn.handle(convPd.dst_desc());

    batch_normalization_forward.primitive_desc bnPd = null;
    int flags = normalization_flags.use_scale_shift.value | (relu ? normalization_flags.fuse_norm_relu.value : 0)
        | (training ? 0 : normalization_flags.use_global_stats.value);
    if (batchNorm) {
      bnPd = new batch_normalization_forward.primitive_desc(
          new batch_normalization_forward.desc(prop.value, convPd.dst_desc(), (float) conf.getEps(), flags), OneDnn.engine());
      bn = new batch_normalization_forward(bnPd);
      affineUser = OneDnn.handle(bnPd.weights_desc());
      meanUser = OneDnn.handle(bnPd.mean_desc());
      varUser = OneDnn.handle(bnPd.variance_desc());
      workspace = training && relu ? OneDnn.allocate(bnPd.workspace_desc()) : null;
      out = Relayout.writing(yUser.get_desc(), bnPd.dst_desc(), "out");
      convToY = null;
    } else {
      bn = null;
      affineUser = OneDnn.handle(OneDnn.plain(g.bias, format_tag.x));
      meanUser = null;
      varUser = null;
      workspace = null;
      out = null;
      convToY = new reorder(convDst, yUser);
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

  private static primitive_attr reluPostOp(boolean relu) {
    primitive_attr attr = new primitive_attr();
    if (relu) {
      post_ops ops = new post_ops();
      ops.append_eltwise(1f, algorithm.eltwise_relu, 0f, 0f);
      attr.set_post_ops(ops);
    }
    return attr;
  }

  private void prepareBackward(FusedConv conf, Geometry g, convolution_forward.primitive_desc convPd,
      batch_normalization_forward.primitive_desc bnPd, int flags) {
    convolution_backward_weights.primitive_desc weightsPd = new convolution_backward_weights.primitive_desc(batchNorm
        ? new convolution_backward_weights.desc(algorithm.convolution_direct, OneDnn.any(g.src), OneDnn.any(g.weights),
            OneDnn.any(g.dst), g.strides, g.padL, g.padR)
        : new convolution_backward_weights.desc(algorithm.convolution_direct, OneDnn.any(g.src), OneDnn.any(g.weights),
            OneDnn.plain(g.bias, format_tag.x), OneDnn.any(g.dst), g.strides, g.padL, g.padR), OneDnn.engine(), convPd);
    convolution_backward_data.primitive_desc dataPd = new convolution_backward_data.primitive_desc(
        new convolution_backward_data.desc(algorithm.convolution_direct, OneDnn.any(g.src), OneDnn.any(g.weights),
            OneDnn.any(g.dst), g.strides, g.padL, g.padR), OneDnn.engine(), convPd);
    convBackWeights = new convolution_backward_weights(weightsPd);
    convBackData = new convolution_backward_data(dataPd);
    dyUser = OneDnn.handle(yUser.get_desc());
    dwUser = OneDnn.handle(wUser.get_desc());
    dxUser = OneDnn.handle(xUser.get_desc());
    memory.desc dConvDesc;
    if (batchNorm) {
      batch_normalization_backward.primitive_desc bnBackPd = new batch_normalization_backward.primitive_desc(
          new batch_normalization_backward.desc(prop_kind.backward.value, bnPd.dst_desc(), convPd.dst_desc(),
              (float) conf.getEps(), flags), OneDnn.engine(), bnPd);
      activationBack = new batch_normalization_backward(bnBackPd);
      dAffineUser = OneDnn.handle(bnBackPd.diff_weights_desc());
      dyIn = Relayout.reading(dyUser.get_desc(), bnBackPd.diff_dst_desc(), "dy");
      dConvDesc = bnBackPd.diff_src_desc();
    } else if (relu) {
      eltwise_forward.primitive_desc hint = new eltwise_forward.primitive_desc(new eltwise_forward.desc(
          prop_kind.forward_training, algorithm.eltwise_relu_use_dst_for_bwd, convPd.dst_desc(), 0f, 0f), OneDnn.engine());
      eltwise_backward.primitive_desc reluBackPd = new eltwise_backward.primitive_desc(new eltwise_backward.desc(
          algorithm.eltwise_relu_use_dst_for_bwd, convPd.dst_desc(), convPd.dst_desc(), 0f, 0f), OneDnn.engine(), hint);
      activationBack = new eltwise_backward(reluBackPd);
      dAffineUser = OneDnn.handle(weightsPd.diff_bias_desc());
      dyIn = Relayout.reading(dyUser.get_desc(), reluBackPd.diff_dst_desc(), "dy");
      dConvDesc = reluBackPd.diff_src_desc();
    } else {
      dAffineUser = OneDnn.handle(weightsPd.diff_bias_desc());
      dyIn = Relayout.reading(dyUser.get_desc(), weightsPd.diff_dst_desc(), "dy");
      dConvDesc = weightsPd.diff_dst_desc();
    }
    dConv = activationBack == null ? null : OneDnn.handle(dConvDesc);
    srcForWeights = Relayout.reading(convPd.src_desc(), weightsPd.src_desc(), "srcW");
    dConvForWeights = Relayout.reading(dConvDesc, weightsPd.diff_dst_desc(), "dConvW");
    dwOut = Relayout.writing(dwUser.get_desc(), weightsPd.diff_weights_desc(), "dW");
    dConvForData = Relayout.reading(dConvDesc, dataPd.diff_dst_desc(), "dConvD");
    weightsForData = Relayout.reading(convPd.weights_desc(), dataPd.weights_desc());
    dxOut = Relayout.writing(dxUser.get_desc(), dataPd.diff_src_desc(), "dx");
  }

  /** {@code [N, nOut, h, w]} of this input shape's output. */
  long[] outShape() {
    return outShape.clone();
  }

  /** The input in the conv's layout, in this thread's scratch buffer. */
  private void toSrc(INDArray x) {
    OneDnn.point(xUser, x);
    src.set_data_handle(Scratch.get("src", src.get_desc().get_size()));
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
      convDst.set_data_handle(Scratch.get("conv", convDst.get_desc().get_size()));
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
      throw new IllegalStateException("backward after an inference pass");
    }
    toSrc(x);
    OneDnn.point(dyUser, dy);
    OneDnn.point(dwUser, dw);
    OneDnn.point(dAffineUser, dAffine);
    OneDnn.point(dxUser, dx);
    memory dyIn = this.dyIn.in(s, dyUser);
    memory dConvOut = dyIn;
    if (activationBack != null) {
      dConv.set_data_handle(Scratch.get("dConv", dConv.get_desc().get_size()));
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
